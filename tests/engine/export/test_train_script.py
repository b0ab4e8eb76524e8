"""The generated train.py trains xor with DistributedDataParallel under torchrun (2 CPU processes)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch
from neurocanvas.engine.export import load_source
from neurocanvas.engine.export.code import export_pytorch


@pytest.mark.slow
def test_train_py_runs_under_torchrun(tmp_path):
    export_pytorch(load_source("xor"), tmp_path)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc-per-node=2",
            "train.py",
            "--epochs",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "epoch 1/1" in done.stdout
    state = torch.load(tmp_path / "trained_state.pt", weights_only=True)
    assert set(state) == set(load_source("xor").model.state_dict())
