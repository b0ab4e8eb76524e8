"""The opt-in compiled fast path (issue 22): the same training as eager, a warm-up that leaves no
trace, and a clear fall-back to eager when compiling fails."""

from __future__ import annotations

import pytest
import torch
from neurocanvas.engine.training import RunFinished, TrainConfig, Trainer
from neurocanvas.engine.training import compiled as compiled_module
from neurocanvas.engine.training.compiled import compile_forward
from training_helpers import prepared, sequential_project


def _xor_project():
    return sequential_project(
        [("Dense", {"units": 16, "activation": "tanh"}), ("Dense", {"units": 1})],
        training={"epochs": 3, "batch_size": 32, "optimizer": {"type": "adam", "lr": 0.01}},
    )


def _run(project, compile_step: bool, tmp_path):
    data = prepared("xor", params={"n": 200, "noise": 0.1}, seed=0)
    config = TrainConfig.from_dict(project.training).replace(compile=compile_step)
    trainer = Trainer(project, data, config, device="cpu", run_dir=tmp_path / str(compile_step))
    started = []
    trainer.subscribe(lambda event: started.append(event) if hasattr(event, "compile_note") else 0)
    result = trainer.run()
    assert isinstance(result, RunFinished), getattr(result, "message", result)
    return trainer, started[0].compile_note


@pytest.mark.slow
def test_a_compiled_run_trains_as_the_eager_one(tmp_path):
    eager, eager_note = _run(_xor_project(), False, tmp_path)
    fast, note = _run(_xor_project(), True, tmp_path)
    assert eager_note == "" and note.startswith("compiled the training step in")
    for name, value in eager.model.state_dict().items():
        torch.testing.assert_close(fast.model.state_dict()[name], value, atol=1e-5, rtol=1e-4)
    assert fast.result.test["loss"] == pytest.approx(eager.result.test["loss"], abs=1e-5)


def test_a_failed_compile_trains_eagerly_and_says_why(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise RuntimeError("no C++ compiler found")

    monkeypatch.setattr(compiled_module.torch, "compile", refuse)
    eager, _ = _run(_xor_project(), False, tmp_path)
    fallen_back, note = _run(_xor_project(), True, tmp_path)
    assert note == "compile failed, training eagerly: RuntimeError: no C++ compiler found"
    assert fallen_back.result.test == eager.result.test


def test_the_warm_up_leaves_buffers_gradients_and_random_state_as_they_were():
    torch.manual_seed(0)
    view = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 2)
    )
    view.train()
    sample = torch.randn(16, 4) * 3 + 1
    buffers = {name: value.clone() for name, value in view.named_buffers()}
    rng = torch.random.get_rng_state()
    result = compile_forward(view, sample, torch.device("cpu"), backend="eager")
    assert result.compiled and result.note.startswith("compiled the training step")
    for name, value in view.named_buffers():
        assert torch.equal(value, buffers[name]), name
    assert all(parameter.grad is None for parameter in view.parameters())
    assert torch.equal(torch.random.get_rng_state(), rng)
    # The compiled forward computes what the module does (eval mode: no dropout).
    view.eval()
    torch.testing.assert_close(result.forward(sample), view(sample))


def test_the_cli_flag_turns_it_on_and_prints_the_note(tmp_path, monkeypatch, capsys):
    from neurocanvas.engine.cli import main

    monkeypatch.setattr(
        compiled_module,
        "compile_forward",
        lambda view, *_a, **_k: compiled_module.CompiledForward(view, True, 0.5, "compiled (stub)"),
    )
    code = main(["train", "xor", "--epochs", "1", "--compile", "--out", str(tmp_path / "run")])
    assert code == 0
    assert "compiled (stub)" in capsys.readouterr().err
