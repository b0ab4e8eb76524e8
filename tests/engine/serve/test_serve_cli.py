"""`neurocanvas serve` before it binds (bad input, the loopback warning, the URL and curl line),
the serving spec stored in ONNX exports, and the exported service folder's files."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import onnx
import pytest
from neurocanvas.engine.cli import main
from neurocanvas.engine.export import ExportError, export, load_source, save_checkpoint_bundle
from neurocanvas.engine.serve import cli_commands, standalone
from neurocanvas.engine.serve.service import check_standalone
from neurocanvas.engine.serve.sources import ServeError, resolve
from neurocanvas.engine.serve.spec import SPEC_KEY, output_kind
from neurocanvas.engine.training.losses import Objective


@pytest.fixture(scope="module")
def xor_checkpoint(tmp_path_factory) -> Path:
    """The xor template's initial weights with the xor data's preprocessing and classes."""
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare

    path = tmp_path_factory.mktemp("xor") / "best.pt"
    source = load_source("xor", seed=0)
    cfg = DataConfig(source="xor")
    data = prepare(load_dataset(cfg), cfg)
    source.preprocessing, source.class_names = data.preprocessing.to_dict(), data.class_names
    save_checkpoint_bundle(source, path)
    return path


@pytest.fixture
def no_server(monkeypatch):
    """Record what `serve` would run instead of running uvicorn."""
    calls = []
    monkeypatch.setattr(cli_commands, "_run", lambda app, args: calls.append((app, args)))
    return calls


def test_serve_loads_the_model_then_runs_one_app_on_loopback(xor_checkpoint, no_server, capsys):
    assert main(["serve", str(xor_checkpoint.parent), "--port", "8123"]) == 0
    app, args = no_server[0]
    assert args.host == "127.0.0.1" and args.workers == 1
    assert {route.path for route in app.routes} >= {"/predict", "/health", "/metadata", "/docs"}
    out = capsys.readouterr()
    assert "on http://127.0.0.1:8123" in out.out and "Warning" not in out.err
    curl = next(line for line in out.out.splitlines() if line.startswith("Try: "))[5:]
    words = shlex.split(curl)
    assert words[:3] == ["curl", "-s", "http://127.0.0.1:8123/predict"]
    assert set(json.loads(words[-1])["rows"][0]) == {"x1", "x2"}  # xor's two columns


def test_another_host_is_warned_about(xor_checkpoint, no_server, capsys):
    assert main(["serve", str(xor_checkpoint), "--host", "0.0.0.0", "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "reachable from the network" in err and "0.0.0.0" in err
    assert no_server[0][0] == "neurocanvas.engine.serve.cli_commands:app_from_env"
    assert standalone.loopback_warning("::1") is None


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--port", "70000"], "--port must be from 0 to 65535"),
        (["--workers", "0"], "--workers must be from 1 to 64"),
    ],
)
def test_bad_options_exit_2(xor_checkpoint, no_server, capsys, extra, words):
    assert main(["serve", str(xor_checkpoint), *extra]) == 2
    assert words in capsys.readouterr().err and not no_server


def test_bad_paths_exit_2_naming_them(tmp_path, no_server, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "bad.pt").write_text("not a checkpoint")
    for path, words in (
        (tmp_path / "missing", "no such file or folder"),
        (tmp_path, "no model.onnx, best.pt or last.pt"),
        (tmp_path / "notes.txt", "takes a run folder"),
        (tmp_path / "bad.pt", "not a NeuroCanvas checkpoint"),
    ):
        assert main(["serve", str(path)]) == 2
        err = capsys.readouterr().err
        assert words in err and str(path) in err and "Traceback" not in err
    assert not no_server
    with pytest.raises(ServeError):
        resolve(tmp_path / "missing")


def test_onnx_exports_carry_the_serving_spec_with_their_parity(xor_checkpoint, tmp_path):
    result = export(load_source(None, xor_checkpoint), "onnx", tmp_path / "xor.onnx")
    props = {p.key: p.value for p in onnx.load(str(tmp_path / "xor.onnx")).metadata_props}
    spec = json.loads(props[SPEC_KEY])
    assert spec["input"] == {"name": "input", "kind": "table", "shape": [2], "dtype": "float32"}
    assert spec["parity"]["max_abs_diff"] == result.max_abs_diff
    assert spec["parity"]["batch_sizes"] == [1, 3]


def test_output_kinds_follow_the_objective():
    assert output_kind(Objective("mse", "regression", "none", "none")) == "values"
    assert output_kind(Objective("cross_entropy", "multiclass", "softmax", "logits")) == (
        "probabilities"
    )
    assert output_kind(Objective("cross_entropy", "multiclass", "log_softmax", "logits")) == (
        "log_probabilities"
    )
    assert output_kind(Objective("cross_entropy", "multiclass", "none", "none")) == "softmax"
    assert output_kind(Objective("binary_cross_entropy", "binary", "none", "none")) == "sigmoid"


def test_the_service_folder_holds_the_standalone_files(xor_checkpoint, tmp_path):
    folder = tmp_path / "svc"
    assert (
        main(
            [
                "export",
                "--weights",
                str(xor_checkpoint),
                "--format",
                "service",
                "--out",
                str(folder),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "Dockerfile",
        "README.md",
        "model.onnx",
        "requirements.txt",
        "serve.py",
        "serve_inputs.py",
    ]
    here = Path(standalone.__file__).parent
    assert (folder / "serve.py").read_text() == (here / "standalone.py").read_text()
    assert (folder / "serve_inputs.py").read_text() == (here / "inputs.py").read_text()
    requirements = (folder / "requirements.txt").read_text().splitlines()
    assert [r.split(">=")[0] for r in requirements] == [
        "numpy",
        "onnxruntime",
        "fastapi",
        "uvicorn",
        "httptools",
        "uvloop",
    ]
    assert not any("neurocanvas" in r for r in requirements)
    docker = (folder / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in docker
    assert 'CMD ["python", "serve.py", "--host", "0.0.0.0"' in docker
    assert "curl -s http://127.0.0.1:8000/predict" in (folder / "README.md").read_text()
    # serve.py starts as a script beside serve_inputs.py (the HTTP tests run it in full).
    done = subprocess.run(
        [sys.executable, str(folder / "serve.py"), "--help"],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
    )
    assert done.returncode == 0 and "--workers" in done.stdout


def test_a_standalone_file_that_imports_neurocanvas_is_refused(tmp_path):
    bad = tmp_path / "serve.py"
    bad.write_text("import numpy\nfrom neurocanvas.engine import cli\n")
    with pytest.raises(ExportError, match="imports neurocanvas.engine"):
        check_standalone(bad)
    check_standalone(Path(standalone.__file__))


@pytest.mark.parametrize(
    "damage, words",
    [
        ({"input": {"kind": "table", "shape": "six"}}, "serving spec is damaged"),
        ({"output": "magic"}, "serving spec is damaged"),
        ({"input": {"kind": "image", "shape": [4, 2, 2], "dtype": "float32"}}, "(1 or 3, H, W)"),
    ],
)
def test_an_onnx_file_with_a_damaged_spec_is_refused_naming_it(
    xor_checkpoint, tmp_path, no_server, capsys, damage, words
):
    path = tmp_path / "xor.onnx"
    export(load_source(None, xor_checkpoint), "onnx", path)
    model = onnx.load(str(path))
    entry = next(p for p in model.metadata_props if p.key == SPEC_KEY)
    entry.value = json.dumps({**json.loads(entry.value), **damage})
    onnx.save(model, str(path))
    assert main(["serve", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and str(path) in err and not no_server
