"""Ctrl+C or SIGTERM during `neurocanvas train`: the run stops at the next batch, writes its
last.pt and a result.json saying how it ended, and exits 130/143 with one line on stderr."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.slow
@pytest.mark.parametrize(
    "sig, status, ending", [(signal.SIGINT, 130, "user"), (signal.SIGTERM, 143, "terminated")]
)
def test_a_signal_stops_the_run_cleanly(tmp_path, sig, status, ending):
    out = tmp_path / "run"
    argv = [
        sys.executable,
        "-m",
        "neurocanvas.engine.cli",
        "train",
        "xor",
        "--epochs",
        "100000",
        "--out",
        str(out),
    ]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "metrics.jsonl").is_file() or not (out / "metrics.jsonl").read_text().strip():
        assert child.poll() is None and time.monotonic() < deadline, child.stderr.read()
        time.sleep(0.2)
    child.send_signal(sig)
    _, err = child.communicate(timeout=60)
    assert child.returncode == status, err
    last_line = err.strip().splitlines()[-1]
    assert "Traceback" not in err and "at epoch" in last_line
    assert (out / "last.pt").is_file()
    assert json.loads((out / "result.json").read_text())["stopped"] == ending


@pytest.mark.slow
def test_a_run_stopped_inside_its_first_epoch_keeps_its_weights(tmp_path):
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "neurocanvas.engine.cli", "train", "xor", "--data", "xor:n=400000",
            "--batch-size", "1", "--epochs", "1", "--out", str(out)]  # fmt: skip
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "config.json").is_file():
        assert child.poll() is None and time.monotonic() < deadline, child.stderr.read()
        time.sleep(0.2)
    time.sleep(1.5)  # inside epoch 1 (about 4 minutes long at batch size 1)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert (out / "last.pt").is_file()
    assert json.loads((out / "result.json").read_text())["stopped"] == "user"
