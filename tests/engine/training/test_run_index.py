"""Runs read back from their folders: settings, curves, checkpoint and how each ended."""

from __future__ import annotations

import json

import pytest
from neurocanvas.engine.data import TensorSplit
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import TrainConfig, Trainer
from neurocanvas.engine.training.run_index import list_runs, read_run
from training_helpers import prepared

STAMPED = r"xor-\d{8}-\d{6}-\d{3}"


def train(run_dir, data=None, **changes):
    project = load_project_or_template("xor")
    config = TrainConfig.from_dict(project.training).replace(**changes)
    data = data or prepared("xor", params={"n": 200}, seed=0)
    return Trainer(project, data, config, device="cpu", run_dir=run_dir).run()


def test_a_finished_run_reads_back_whole(tmp_path):
    finished = train(tmp_path / "xor-20261125-091500-000", epochs=3)
    (run,) = list_runs(tmp_path, STAMPED)
    assert [round(h["loss"], 6) for h in run["history"]] == [
        round(row["loss"], 6) for row in finished_history(tmp_path / "xor-20261125-091500-000")
    ]
    assert len(run["history"]) == 3 and "val_loss" in run["history"][0]
    assert run["result"]["event"] == "RunFinished"
    assert run["result"]["test"] == pytest.approx(finished.test)
    assert run["checkpoint"].endswith("best.pt")
    assert run["training"]["epochs"] == 3 and run["project"]["name"] == "XOR"


def finished_history(folder):
    return [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]


def test_runs_come_oldest_first_and_others_are_left_out(tmp_path):
    for stamp in ("20261125-091700-000", "20261124-080000-000"):
        train(tmp_path / f"xor-{stamp}", epochs=1, checkpoint=False)
    (tmp_path / "xor-notes").mkdir()  # not a run folder name
    (tmp_path / "xor-20261125-100000-000").mkdir()  # no config.json: not a run
    train(tmp_path / "xor-classifier-20261125-091800-000", epochs=1)  # another project
    runs = list_runs(tmp_path, STAMPED)
    assert [r["run_dir"][-19:] for r in runs] == ["20261124-080000-000", "20261125-091700-000"]
    assert runs[0]["checkpoint"] is None  # checkpoints were off
    assert len(list_runs(tmp_path, STAMPED, limit=1)) == 1
    assert list_runs(tmp_path / "missing", STAMPED) == []


def test_a_killed_run_keeps_its_curves_and_a_failed_one_says_so(tmp_path):
    folder = tmp_path / "xor-20261125-091900-000"
    train(folder, epochs=2)
    (folder / "result.json").unlink()  # the app was killed before the end
    with (folder / "metrics.jsonl").open("a") as stream:
        stream.write('{"epoch": 3, "loss": 0.5')  # torn last line
    run = read_run(folder)
    assert run["result"] is None and len(run["history"]) == 2
    failed = tmp_path / "xor-20261125-092000-000"
    data = prepared("xor", params={"n": 200}, seed=0)
    x = data.train.x.clone()
    x[5] = float("nan")  # the loss turns NaN in the first epoch
    data.train = TensorSplit(x, data.train.y)
    train(failed, data, epochs=3)
    result = read_run(failed)["result"]
    assert result["event"] == "RunFailed" and result["kind"] == "nan"


def test_result_json_is_strict_json(tmp_path):
    train(tmp_path / "run", epochs=1)
    text = (tmp_path / "run" / "result.json").read_text()
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in result.json"))
