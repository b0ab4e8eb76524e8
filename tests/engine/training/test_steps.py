"""The pluggable training step: a non-default step (two optimizers taking turns) in the same loop,
with its events, checkpoints and resuming; events published by a built-in callback."""

from __future__ import annotations

import torch
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import (
    BatchEnded,
    Callback,
    EpochEnded,
    RunFinished,
    RunFolder,
    RunStarted,
    TrainConfig,
    Trainer,
    TrainStep,
    prepare_run,
)
from neurocanvas.engine.training import trainer as trainer_module
from training_helpers import prepared


class AlternatingStep(TrainStep):
    """Two Adam optimizers, one for the first layer and one for the rest, stepping in turn (the
    shape of a GAN's generator/discriminator step); counts what it does."""

    def __init__(self, lr: float = 0.05):
        self.lr_value, self.calls, self.turns = lr, 0, [0, 0]

    def configure(self, run, config) -> None:
        super().configure(run, config)
        params = list(run.model.parameters())
        first, rest = params[:2], params[2:]  # the first Dense layer's weight and bias
        run.optimizers = [
            torch.optim.Adam(first, lr=self.lr_value),
            torch.optim.Adam(rest, lr=self.lr_value),
        ]
        self.loss_fn = run.objective.loss_fn()

    def __call__(self, x, target):
        turn = self.calls % 2
        optimizer = self.run.optimizers[turn]
        out = self.run.view(x)
        loss = self.loss_fn(out, target)
        for each in self.run.optimizers:
            each.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        self.calls += 1
        self.turns[turn] += 1
        return loss, out


def _xor():
    return prepared("xor", params={"n": 400, "noise": 0.0}, seed=0)


def _config(**changes):
    base = TrainConfig.from_dict(load_project_or_template("xor").training)
    return base.replace(**{"batch_size": 32, **changes})


def test_a_two_optimizer_step_runs_in_the_same_loop_with_events_and_checkpoints(tmp_path):
    step, events = AlternatingStep(), []
    trainer = Trainer(
        load_project_or_template("xor"),
        _xor(),
        _config(epochs=6),
        device="cpu",
        run_dir=tmp_path,
        train_step=step,
    )
    trainer.subscribe(events.append)
    result = trainer.run()
    assert isinstance(result, RunFinished), getattr(result, "message", "")
    batches = trainer.batches_per_epoch
    assert step.calls == trainer.step == 6 * batches
    assert step.turns == [3 * batches, 3 * batches]  # each optimizer stepped every other batch
    kinds = [type(e).__name__ for e in events if not isinstance(e, BatchEnded)]
    assert kinds == ["RunStarted", *["EpochEnded"] * 6, "RunFinished"]
    epochs = [e for e in events if isinstance(e, EpochEnded)]
    assert all(e.lr == 0.05 for e in epochs)  # the step's lr: its first optimizer's
    assert epochs[-1].train["loss"] < epochs[0].train["loss"]  # it learns
    saved = torch.load(tmp_path / "last.pt", weights_only=True)
    assert "optimizer" not in saved and len(saved["optimizers"]) == 2
    adam_steps = [float(s["state"][0]["step"]) for s in saved["optimizers"]]
    assert adam_steps == [3 * batches, 3 * batches]
    assert (tmp_path / "best.pt").is_file() and (tmp_path / "result.json").is_file()


def test_a_resumed_run_gives_the_step_its_optimizers_back(tmp_path):
    Trainer(
        load_project_or_template("xor"),
        _xor(),
        _config(epochs=2),
        device="cpu",
        run_dir=tmp_path,
        train_step=AlternatingStep(),
    ).run()
    step = AlternatingStep()
    resumed = Trainer(
        load_project_or_template("xor"),
        _xor(),
        _config(epochs=3),
        device="cpu",
        resume_from=tmp_path / "last.pt",
        train_step=step,
    )
    assert isinstance(resumed.run(), RunFinished)
    batches = resumed.batches_per_epoch
    assert step.calls == batches  # only the third epoch ran
    states = [float(o.state_dict()["state"][0]["step"]) for o in resumed.state.optimizers]
    # Two epochs stepped each optimizer `batches` times; the third epoch added this step's turns.
    assert states == [batches + turns for turns in step.turns]


def test_events_reach_callbacks_and_subscribers_alike(monkeypatch):
    """Publishing is a callback: a callback's on_progress sees the BatchEnded subscribers get."""
    monkeypatch.setattr(trainer_module, "BATCH_EVENT_INTERVAL", 0.0)  # report every batch

    class Progress(Callback):
        def __init__(self):
            self.seen = []

        def on_progress(self, trainer, event):
            self.seen.append(event)

    progress, events = Progress(), []
    trainer = Trainer(
        load_project_or_template("xor"),
        _xor(),
        _config(epochs=2, checkpoint=False),
        callbacks=[progress],
        device="cpu",
    )
    trainer.subscribe(events.append)
    trainer.run()
    batches = [e for e in events if isinstance(e, BatchEnded)]
    assert len(batches) == 2 * trainer.batches_per_epoch and progress.seen == batches
    assert isinstance(events[0], RunStarted) and trainer.callbacks[0] is trainer.events


def test_prepare_run_returns_what_the_loop_trains():
    project = load_project_or_template("xor")
    data = prepared("xor", params={"n": 100, "noise": 0.0}, split=(0.8, 0.0, 0.2), seed=0)
    config = TrainConfig.from_dict(
        {
            "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.5},
            "batch_size": 30,
            "schedule": {"type": "step", "step_size": 1},
        }
    )
    state = prepare_run(project.graph, data, config, torch.device("cpu"))
    (optimizer,) = state.optimizers
    assert type(optimizer) is torch.optim.SGD and optimizer.param_groups[0]["momentum"] == 0.5
    assert state.schedule.per_batch and state.batches_per_epoch == 3  # 80 samples, 30 a batch
    assert state.splits["val"] is None and state.monitor == "loss"  # no validation split
    assert state.splits["train"][0].shape == (80, 2) and state.splits["test"][0].shape == (20, 2)
    assert state.view is not state.model  # the final Sigmoid is stripped: the loss takes logits
    assert state.objective.loss == "binary_cross_entropy"


def test_a_run_folder_names_the_run_and_its_files(tmp_path):
    folder = RunFolder.new("My  Net (v2)!", root=tmp_path)
    assert folder.path.parent == tmp_path and folder.path.name.startswith("my-net-v2-")
    assert folder.checkpoint("last") == folder.path / "last.pt"
    folder.create({"training": {"epochs": 1}})
    assert (folder.path / "config.json").is_file()
    assert [type(c).__name__ for c in folder.loggers(tensorboard=False)] == [
        "JsonlLogger",
        "CsvLogger",
    ]
