"""Odd output paths, options and devices on the command line: exit status 2 and one line naming
the option, before any work is done; never a traceback."""

from __future__ import annotations

import pytest
from neurocanvas.engine.cli import main


@pytest.fixture
def existing_file(tmp_path):
    path = tmp_path / "taken.txt"
    path.write_text("x")
    return path


def _fails_with(capsys, argv, words) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err, err


def test_a_file_format_into_a_folder(tmp_path, capsys):
    _fails_with(capsys, ["export", "xor", "--out", str(tmp_path)], ["--out", "is a folder"])


def test_a_folder_format_onto_a_file(existing_file, capsys):
    argv = ["export", "xor", "--format", "pytorch", "--out", str(existing_file)]
    _fails_with(capsys, argv, ["is a file"])


def test_an_unwritable_place(capsys):
    _fails_with(capsys, ["export", "xor", "--out", "/proc/self/model.onnx"], ["--out"])


@pytest.mark.parametrize("opset", ["3", "99"])
def test_an_opset_onnxruntime_or_the_exporter_cannot_take(tmp_path, capsys, opset):
    argv = ["export", "xor", "--opset", opset, "--out", str(tmp_path / "m.onnx")]
    _fails_with(capsys, argv, ["--opset", "choose"])


@pytest.mark.parametrize(
    "flags", [["--output-units", "0"], ["--input-shape", "0,3"], ["--input-shape", "a"]]
)
def test_sizes_must_be_positive(tmp_path, capsys, flags):
    argv = ["export", "tabular-mlp", *flags, "--out", str(tmp_path / "m.onnx")]
    _fails_with(capsys, argv, [flags[0]])


@pytest.mark.parametrize("device", ["tpu", "cuda:abc", "gpu"])
def test_an_unknown_device_names_the_choices(tmp_path, capsys, device):
    argv = ["train", "xor", "--epochs", "1", "--device", device, "--out", str(tmp_path / "r")]
    _fails_with(capsys, argv, ["unknown device", "cpu, cuda"])


def test_a_run_folder_onto_a_file(existing_file, capsys):
    argv = ["train", "xor", "--epochs", "1", "--out", str(existing_file)]
    _fails_with(capsys, argv, ["is a file"])


def test_evaluate_on_a_table_with_other_columns(tmp_path, capsys):
    rows = "".join(f"{i},{i * 3 % 7},{i % 5},{i % 2}\n" for i in range(40))
    (tmp_path / "four.csv").write_text("a,b,c,label\n" + rows)
    (tmp_path / "three.csv").write_text(
        "a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40))
    )
    run = tmp_path / "run"
    argv = [
        "train",
        "tabular-mlp",
        "--data",
        str(tmp_path / "four.csv"),
        "--epochs",
        "1",
        "--out",
        str(run),
    ]
    assert main([*argv, "--json"]) == 0
    capsys.readouterr()
    argv = [
        "evaluate",
        "tabular-mlp",
        "--weights",
        str(run / "best.pt"),
        "--data",
        str(tmp_path / "three.csv"),
    ]
    _fails_with(capsys, argv, ["shape", "same columns"])


def test_weights_too_big_for_memory_are_refused_before_allocating(tmp_path, capsys):
    from neurocanvas.engine import project as project_io
    from neurocanvas.engine.templates import load_project_or_template

    project = load_project_or_template("xor")
    denses = [n for n in project.graph.nodes.values() if n.type == "Dense"]
    for dense in denses:  # each within its range; together 10**12 weights (4 TB)
        dense.params["units"] = 10**6
    path = tmp_path / "huge.json"
    project_io.save(project, path)
    argv = ["train", str(path), "--epochs", "1", "--out", str(tmp_path / "r")]
    _fails_with(capsys, argv, [denses[-1].id, "more than"])
