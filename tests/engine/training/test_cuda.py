"""The CUDA path (device, mixed precision, memory figure). Runs only where a GPU is present: CI has
none, so these are skipped there and run on a GPU machine (`make test` on it)."""

from __future__ import annotations

import pytest
import torch
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import BatchEnded, RunFinished, TrainConfig, Trainer
from training_helpers import prepared

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")


@pytest.mark.parametrize("amp", [False, True])
def test_xor_trains_on_cuda_and_reports_its_memory(amp):
    project = load_project_or_template("xor")
    config = TrainConfig.from_dict(project.training).replace(epochs=60, amp=amp)
    events = []
    trainer = Trainer(
        project, prepared("xor", params={"n": 400, "noise": 0.0}, seed=0), config, device="cuda"
    )
    trainer.subscribe(events.append)
    result = trainer.run()
    assert isinstance(result, RunFinished), getattr(result, "message", "")
    assert events[0].device == "cuda" and events[0].amp == amp
    memory = [e.gpu_memory_mib for e in events if isinstance(e, BatchEnded)]
    assert memory and all(m is not None and m > 0 for m in memory)
    assert result.test["accuracy"] > 0.9
