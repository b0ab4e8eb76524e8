"""The real server on a free loopback port, real HTTP requests (httpx over a socket): predictions
for a table's raw rows, PNG files and texts equal `neurocanvas evaluate`'s for the same inputs,
from a checkpoint (PyTorch) and from the exported service folder (onnxruntime, NeuroCanvas not
importable), with several workers and concurrent clients; bad requests get 4xx JSON naming the
field, never a traceback."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
import torch
from neurocanvas.engine.cli import main
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training.checkpoint import load_checkpoint
from neurocanvas.engine.training.data_adapter import load_all_rows
from neurocanvas.engine.training.evaluation import predict
from serve_helpers import neurocanvas_serve, server, standalone_serve, table_rows, train_all

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    runs = train_all(root)
    for kind, paths in runs.items():
        folder = root / f"service-{kind}"
        weights = str(paths["run"] / "best.pt")
        assert (
            main(["export", "--weights", weights, "--format", "service", "--out", str(folder)]) == 0
        )
        paths["service"] = folder
    return runs


def _evaluated(paths: dict[str, Path], capsys) -> dict:
    """`neurocanvas evaluate --split all --json` on the data file, and the same rows' predictions
    by the evaluate path's own data loading (load_all_rows) and `predict`."""
    weights = paths["run"] / "best.pt"
    capsys.readouterr()
    args = ["evaluate", str(paths["project"]), "--weights", str(weights)]
    assert main([*args, "--data", str(paths["data"]), "--split", "all", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    model, bundle = load_checkpoint(weights)
    project = load_project_or_template(str(paths["project"]))
    split, _ = load_all_rows(
        project.data,
        str(paths["data"]),
        class_names=bundle["class_names"],
        preprocessing=bundle["preprocessing"],
    )
    expected = predict(model, split.x)
    return {"report": report, "prediction": expected, "y": split.y, "names": bundle["class_names"]}


def _check_same(answers: list[dict], reference: dict) -> None:
    names = reference["names"]
    labels = [names.index(a["label"]) for a in answers]
    assert labels == reference["prediction"].labels
    probs = torch.tensor([[a["probabilities"][n] for n in names] for a in answers])
    torch.testing.assert_close(probs, reference["prediction"].probabilities, atol=2e-6, rtol=0)
    # The confusion matrix of the served predictions is the one `neurocanvas evaluate` printed.
    k = len(names)
    matrix = np.zeros((k, k), dtype=int)
    for true, guess in zip(reference["y"].tolist(), labels):
        matrix[true, guess] += 1
    assert matrix.tolist() == reference["report"]["confusion_matrix"]
    accuracy = float(np.trace(matrix)) / len(labels)
    assert accuracy == pytest.approx(reference["report"]["metrics"]["accuracy"], abs=1e-6)


def _post(url: str, **kwargs) -> list[dict]:
    response = httpx.post(url + "/predict", timeout=60, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["predictions"]


def _images(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.png"))


def test_table_rows_from_the_checkpoint_match_evaluate(trained, capsys):
    paths = trained["table"]
    reference = _evaluated(paths, capsys)
    rows = table_rows(paths["data"])  # raw strings, missing incomes, the target and note columns
    with server(neurocanvas_serve(paths["run"])) as url:
        answers = _post(url, json={"rows": rows})
        _check_same(answers, reference)
        # One row per request from 16 concurrent clients: PyTorch on the server's threads.
        with ThreadPoolExecutor(16) as pool:
            one_by_one = list(pool.map(lambda row: _post(url, json={"row": row})[0], rows))
        _check_same(one_by_one, reference)
        meta = httpx.get(url + "/metadata").json()
        assert meta["input"]["kind"] == "table" and meta["class_names"] == ["no", "yes"]
        assert [c["name"] for c in meta["preprocessing"]["table"]["features"]] == [
            "age",
            "income",
            "color",
            "city",
        ]
        _check_bad_requests(url)


def test_table_rows_from_the_standalone_service_match_evaluate(trained, capsys):
    paths = trained["table"]
    reference = _evaluated(paths, capsys)
    with server(standalone_serve(paths["service"])) as url:
        _check_same(_post(url, json={"rows": table_rows(paths["data"])}), reference)
        meta = httpx.get(url + "/metadata").json()
        assert meta["parity"]["max_abs_diff"] < 1e-4 and meta["parity"]["format"] == "onnx"
        assert httpx.get(url + "/docs").status_code == 200
        assert "/predict" in httpx.get(url + "/openapi.json").json()["paths"]


def test_png_files_from_the_checkpoint_match_evaluate(trained, capsys):
    paths = trained["image"]
    reference = _evaluated(paths, capsys)
    files = _images(paths["data"])
    with server(neurocanvas_serve(paths["run"])) as url:
        one_by_one = [
            _post(url, content=f.read_bytes(), headers={"Content-Type": "image/png"})[0]
            for f in files
        ]
        _check_same(one_by_one, reference)
        batch = [base64.b64encode(f.read_bytes()).decode() for f in files]
        _check_same(_post(url, json={"images": batch}), reference)


def test_png_files_from_two_service_workers_under_concurrent_clients(trained, capsys):
    paths = trained["image"]
    reference = _evaluated(paths, capsys)
    files = _images(paths["data"])
    with server(standalone_serve(paths["service"], "--workers", "2")) as url:
        with httpx.Client(timeout=60) as client:

            def ask(path: Path) -> dict:
                headers = {"Content-Type": "image/png"}
                response = client.post(url + "/predict", content=path.read_bytes(), headers=headers)
                assert response.status_code == 200, response.text
                return response.json()["predictions"][0]

            with ThreadPoolExecutor(32) as pool:
                answers = list(pool.map(ask, files))
        _check_same(answers, reference)


def test_texts_from_the_onnx_file_match_evaluate(trained, capsys):
    paths = trained["text"]
    reference = _evaluated(paths, capsys)
    texts = [line.split("\t")[0] for line in paths["data"].read_text().splitlines()[1:]]
    with server(neurocanvas_serve(paths["service"] / "model.onnx")) as url:
        _check_same(_post(url, json={"texts": texts}), reference)
        response = httpx.post(url + "/predict", json={"rows": [{"a": 1}]})
        assert response.status_code == 422 and response.json()["field"] == "rows"


def _check_bad_requests(url: str) -> None:
    cases = [
        ({"json": {"rows": [{"agee": 3}]}}, 422, "rows[0].agee"),
        ({"json": {"rows": [{"age": "x", "color": "red", "city": "c01"}]}}, 422, "rows[0].age"),
        ({"json": {"rows": [{"age": 3, "color": "red"}]}}, 422, "rows[0].city"),
        ({"json": {"inputs": [[1, 2]]}}, 422, "inputs"),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "body"),
        ({"content": b"\x89PNG", "headers": {"Content-Type": "image/png"}}, 422, "body"),
        ({"content": b"x" * (8 * 1024 * 1024 + 1)}, 413, "body"),
        ({"json": {"rows": [{"age": 1}] * 257}}, 413, "rows"),
    ]
    for kwargs, status, field in cases:
        response = httpx.post(url + "/predict", timeout=60, **kwargs)
        assert response.status_code == status, (kwargs.get("json"), response.text)
        assert response.json()["field"] == field
        assert "Traceback" not in response.text
