"""`neurocanvas train` and `neurocanvas evaluate`."""

from __future__ import annotations

import json

from neurocanvas.engine.cli import main


def test_train_json_then_evaluate(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "xor",
                "--data",
                "xor:noise=0",
                "--epochs",
                "5",
                "--seed",
                "1",
                "--out",
                str(out),
                "--json",
            ]
        )
        == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["epoch"] for line in lines[:-1]] == [1, 2, 3, 4, 5]
    final = lines[-1]
    assert final["final"] is True and final["checkpoint"] == str(out / "best.pt")
    assert final["samples_per_s"] > 0 and "accuracy" in final["test"]
    assert (
        main(
            ["evaluate", "xor", "--weights", final["checkpoint"], "--data", "xor:noise=0", "--json"]
        )
        == 0
    )
    evaluated = json.loads(capsys.readouterr().out)
    assert evaluated["metrics"] == final["test"]  # the same split, the same weights: exact


def test_train_prints_progress(tmp_path, capsys):
    assert main(["train", "xor", "--epochs", "2", "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "Checkpoint:" in err


def test_bad_input_exits_with_2(tmp_path, capsys):
    assert main(["train", "no-such-template"]) == 2
    assert main(["train", "xor", "--lr", "-1"]) == 2
    assert main(["train", "xor", "--data", str(tmp_path / "missing.csv")]) == 2
    assert main(["train", "xor", "--optimizer", "Adamax"]) == 2
    assert main(["evaluate", "xor", "--weights", str(tmp_path / "none.pt")]) == 2
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    assert main(["evaluate", "xor", "--weights", str(tmp_path / "junk.pt")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("neurocanvas:") == 6


def test_mismatches_are_bad_input_not_failed_runs(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "xor", "--epochs", "1", "--out", str(out)]) == 0
    capsys.readouterr()
    # The data does not fit the network: named on the Input, status 2.
    assert main(["train", "seed-mlp", "--data", "xor", "--out", str(tmp_path / "m")]) == 2
    assert "Input expects samples of shape (1, 28, 28)" in capsys.readouterr().err
    # Another project's weights are refused rather than reported under this project's name.
    assert main(["evaluate", "tabular-mlp", "--weights", str(out / "best.pt")]) == 2
    assert 'holds weights for "XOR"' in capsys.readouterr().err
    # An earlier run's folder is never overwritten.
    assert main(["train", "xor", "--epochs", "1", "--out", str(out)]) == 2
    assert "already holds files" in capsys.readouterr().err


def test_evaluate_test_data_scores_every_row_of_that_file(tmp_path, capsys):
    """GunPoint trains with its _TEST file as the test split; evaluate --test-data on that file
    with the checkpoint gives the run's own test figures, exactly."""
    from neurocanvas.engine.data.config import packaged_path

    out = tmp_path / "run"
    args = ["train", "gru-sequence-classifier", "--epochs", "2", "--out", str(out), "--json"]
    assert main(args) == 0
    final = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert {"balanced_accuracy", "macro_f1"} <= set(final["splits"]["test"])
    test_file = str(packaged_path("gunpoint", test=True))
    weights = str(out / "best.pt")
    assert (
        main(
            [
                "evaluate",
                "gru-sequence-classifier",
                "--weights",
                weights,
                "--test-data",
                test_file,
                "--json",
            ]
        )
        == 0
    )
    evaluated = json.loads(capsys.readouterr().out)
    assert evaluated["split"] == "test file" and evaluated["num_samples"] == 150
    assert evaluated["metrics"] == final["test"]
    code = main(
        [
            "evaluate",
            "gru-sequence-classifier",
            "--weights",
            weights,
            "--test-data",
            str(tmp_path / "none.ts"),
        ]
    )
    assert code == 2 and "no such file" in capsys.readouterr().err
