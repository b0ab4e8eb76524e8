"""Early stopping, stop/pause/resume, failures, checkpoints and resuming a run."""

from __future__ import annotations

import json
import threading

import torch
from neurocanvas.engine.data import TensorSplit
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import (
    BatchEnded,
    Callback,
    EpochEnded,
    RunFailed,
    RunFinished,
    RunStarted,
    TrainConfig,
    Trainer,
    evaluate,
    load_checkpoint,
)
from training_helpers import prepared


def xor(noise=0.0):
    return prepared("xor", params={"n": 400, "noise": noise}, seed=0)


def config(**changes):
    return TrainConfig.from_dict(load_project_or_template("xor").training).replace(**changes)


def test_events_in_order_and_plain(tmp_path):
    events = []
    trainer = Trainer(
        load_project_or_template("xor"), xor(), config(epochs=3), device="cpu", run_dir=tmp_path
    )
    trainer.subscribe(events.append)
    trainer.run()
    kinds = [type(e).__name__ for e in events if not isinstance(e, BatchEnded)]
    assert kinds == ["RunStarted", "EpochEnded", "EpochEnded", "EpochEnded", "RunFinished"]
    for event in events:
        json.dumps(event.to_dict())  # plain data only
    started, finished = events[0], events[-1]
    assert isinstance(started, RunStarted) and started.device == "cpu" and started.param_count == 17
    assert "Sigmoid" in started.loss_note
    assert finished.confusion_matrix is not None and finished.class_names == ["0", "1"]
    assert all(e.gpu_memory_mib is None for e in events if isinstance(e, BatchEnded))  # CPU
    assert {"config.json", "metrics.jsonl", "metrics.csv", "best.pt", "last.pt", "result.json"} <= {
        p.name for p in tmp_path.iterdir()
    }
    assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 3
    bundle = torch.load(tmp_path / "last.pt", weights_only=True)
    assert bundle["epoch"] == 3
    assert "optimizer" in bundle
    assert bundle["project"]["name"] == "XOR"


def test_early_stopping_stops_and_restores_best(tmp_path):
    data = xor(noise=0.6)  # noisy: validation loss soon stops improving at a high learning rate
    cfg = config(epochs=200, early_stopping={"patience": 3}, optimizer={"type": "Adam", "lr": 0.2})
    trainer = Trainer(load_project_or_template("xor"), data, cfg, device="cpu", run_dir=tmp_path)
    result = trainer.run()
    assert isinstance(result, RunFinished) and result.stopped == "early_stopping"
    assert result.epochs_run == result.best_epoch + 3 < 200
    best = torch.load(tmp_path / "best.pt", weights_only=True)
    assert best["epoch"] == result.best_epoch
    for key, value in trainer.model.state_dict().items():
        assert torch.equal(value, best["state_dict"][key])
    model, _ = load_checkpoint(result.checkpoint)
    assert evaluate(model, data.test).metrics == result.test


class StopAt(Callback):
    def __init__(self, step):
        self.step = step

    def on_batch_end(self, trainer, step, loss):
        if step == self.step:
            trainer.request_stop()


def test_stop_takes_effect_within_one_batch(tmp_path):
    trainer = Trainer(
        load_project_or_template("xor"),
        xor(),
        config(epochs=50, batch_size=8),
        [StopAt(40)],
        device="cpu",
        run_dir=tmp_path,
    )
    result = trainer.run()
    assert isinstance(result, RunFinished) and result.stopped == "user"
    assert trainer.step == 40  # 35 batches per epoch: stopped in the middle of epoch 2
    assert result.epochs_run == 1


def test_pause_resume_and_stop_from_another_thread(tmp_path):
    trainer = Trainer(
        load_project_or_template("xor"),
        xor(),
        config(epochs=100000, batch_size=8),
        device="cpu",
        run_dir=tmp_path,
    )
    first_batch = threading.Event()
    trainer.subscribe(lambda e: first_batch.set() if isinstance(e, BatchEnded) else None)
    thread = threading.Thread(target=trainer.run)
    thread.start()
    assert first_batch.wait(20)
    trainer.pause()
    threading.Event().wait(0.3)
    step = trainer.step
    threading.Event().wait(0.3)
    assert trainer.step == step and trainer.paused
    trainer.resume()
    threading.Event().wait(0.3)
    assert trainer.step > step
    trainer.request_stop()
    thread.join(5)
    assert not thread.is_alive() and trainer.result.stopped == "user"


def test_nan_loss_fails_with_advice(tmp_path):
    data = xor()
    x = data.train.x.clone()
    x[5] = float("nan")
    data.train = TensorSplit(x, data.train.y)
    events = []
    trainer = Trainer(
        load_project_or_template("xor"), data, config(epochs=3), device="cpu", run_dir=tmp_path
    )
    trainer.subscribe(events.append)
    result = trainer.run()
    assert isinstance(result, RunFailed) and result.kind == "nan"
    assert "lower learning rate" in result.message
    assert events[-1] is result


def test_exception_becomes_run_failed(tmp_path):
    class Boom(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                raise RuntimeError("boom")

    result = Trainer(
        load_project_or_template("xor"),
        xor(),
        config(epochs=5),
        [Boom()],
        device="cpu",
        run_dir=tmp_path,
    ).run()
    assert isinstance(result, RunFailed) and result.kind == "error" and "boom" in result.message
    assert result.checkpoint is not None  # the best weights so far were kept


def test_resume_continues_exactly(tmp_path):
    project, data = load_project_or_template("xor"), xor(noise=0.2)
    straight = []
    trainer = Trainer(project, data, config(epochs=4), device="cpu", run_dir=tmp_path / "a")
    trainer.subscribe(
        lambda e: straight.append(e.train["loss"]) if isinstance(e, EpochEnded) else None
    )
    trainer.run()
    Trainer(project, data, config(epochs=2), device="cpu", run_dir=tmp_path / "b").run()
    resumed = []
    trainer = Trainer(
        project, data, config(epochs=4), device="cpu", resume_from=tmp_path / "b" / "last.pt"
    )
    trainer.subscribe(
        lambda e: resumed.append(e.train["loss"]) if isinstance(e, EpochEnded) else None
    )
    result = trainer.run()
    assert isinstance(result, RunFinished) and trainer.run_dir == tmp_path / "b"
    assert resumed == straight[2:]
    assert len((tmp_path / "b" / "metrics.jsonl").read_text().splitlines()) == 4


def test_unmeasured_monitor_fails_instead_of_keeping_the_worst_epoch(tmp_path):
    regression = prepared("regression-plane", params={"n": 200}, seed=0)
    project = load_project_or_template("tabular-mlp")
    cfg = TrainConfig.from_dict({"epochs": 2, "batch_size": 32, "monitor": "val_accuracy"})
    result = Trainer(project, regression, cfg, device="cpu", run_dir=tmp_path).run()
    assert isinstance(result, RunFailed)
    assert "'val_accuracy' is not measured" in result.message and "val_loss" in result.message


def test_plateau_schedule_follows_the_monitor_direction():
    from neurocanvas.engine.training.schedules import build_schedule

    weight = torch.nn.Parameter(torch.zeros(1))
    for monitor, expected in (("val_accuracy", "max"), ("val_loss", "min")):
        optimizer = torch.optim.SGD([weight], lr=0.1)
        schedule = build_schedule(optimizer, {"type": "plateau"}, 10, 5, monitor)
        assert schedule.scheduler.mode == expected
