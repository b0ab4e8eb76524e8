"""The trainer's checkpoints: best.pt and last.pt in its `RunFolder`, written at most every
CHECKPOINT_INTERVAL seconds and at the end (the best weights wait in memory meanwhile), and
resuming from last.pt. Functions of the trainer's state; the trainer calls them."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

import torch

from . import checkpoint as ckpt

if TYPE_CHECKING:
    from .trainer import Trainer

CHECKPOINT_INTERVAL = 10.0  # seconds between checkpoint writes (always written at the end)


def bundle(
    trainer: Trainer,
    epoch: int,
    logs: dict[str, float],
    state: dict[str, torch.Tensor],
    resume: bool,
) -> dict[str, Any]:
    """A checkpoint: the weights, what is needed to use them, and (`resume`) to go on training."""
    preprocessing = getattr(trainer.data, "preprocessing", None)
    info = getattr(trainer.data, "info", None)
    config = trainer.config
    result = {
        "state_dict": state,  # the main graph's (what export, evaluate and Try it load)
        # One state dict per graph name (tensors shared with state_dict: stored once).
        "state_dicts": {
            trainer.project.main_graph: state,
            **trainer.train_step.other_state_dicts(),
        },
        "project": trainer.project.to_dict(),
        "preprocessing": preprocessing.to_dict() if hasattr(preprocessing, "to_dict") else None,
        "class_names": trainer.class_names,
        "auto": ckpt.auto_to_dict(trainer.auto),
        "graph_auto": {
            name: ckpt.auto_to_dict(sizes)
            for name, sizes in trainer.train_step.other_auto_sizes().items()
        },
        "data_info": info.to_dict() if hasattr(info, "to_dict") else None,
        "task": trainer.objective.task,
        "loss": trainer.objective.loss,
        "mode": config.mode,
        "head": trainer.objective.head,
        "epoch": epoch,
        "metrics": dict(logs),
        "config": config.to_dict(),
        "seed": config.seed,
    }
    if resume:
        result.update(
            trainer.train_step.state_dict(),
            step=trainer.step,
            history=trainer.history,
            best={
                "epoch": trainer.best_epoch,
                "value": trainer.best_value,
                "monitor": trainer.monitor,
            },
            rng={"torch": torch.get_rng_state(), "shuffle": trainer.generator.get_state()},
        )
    return result


def save_checkpoints(
    trainer: Trainer, epoch: int, logs: dict[str, float], improved: bool, force: bool = False
) -> None:
    """last.pt (and best.pt when a new best is pending), at most every CHECKPOINT_INTERVAL."""
    if trainer.folder is None or not trainer.config.checkpoint:
        return
    trainer._best_pending = trainer._best_pending or improved
    if force or time.perf_counter() - trainer._last_write >= CHECKPOINT_INTERVAL:
        write_last(trainer, epoch, logs)
        write_best(trainer)
        trainer._last_write = time.perf_counter()


def write_last(trainer: Trainer, epoch: int, logs: dict[str, float], partial: bool = False) -> None:
    state = bundle(trainer, epoch, logs, ckpt.cpu_state_dict(trainer.model), resume=True)
    ckpt.write_checkpoint(trainer.folder.checkpoint("last"), {**state, "partial_epoch": partial})


def write_best(trainer: Trainer) -> None:
    if trainer._best_pending and trainer.best_state is not None:
        state = {k: v.detach().to("cpu", copy=True) for k, v in trainer.best_state.items()}
        ckpt.write_checkpoint(
            trainer.folder.checkpoint("best"),
            bundle(trainer, trainer.best_epoch, trainer.best_logs, state, False),
        )
        trainer._best_pending = False


def load_resume_state(trainer: Trainer) -> None:
    """The weights, step state, epoch, history, best epoch and random states of last.pt."""
    saved = ckpt.read_checkpoint(trainer.resume_from)
    trainer.model.load_state_dict(saved["state_dict"])
    trainer.train_step.load_state_dict(saved)
    trainer.epoch, trainer.step = int(saved["epoch"]), int(saved.get("step", 0))
    trainer.history = list(saved.get("history", []))
    best = saved.get("best") or {}
    trainer.best_epoch = int(best.get("epoch", 0))
    trainer.best_value = best.get("value", math.nan)
    best_path = trainer.resume_from.parent / "best.pt"
    if best_path.is_file():
        trainer.best_state = {
            k: v.to(trainer.device)
            for k, v in ckpt.read_checkpoint(best_path)["state_dict"].items()
        }
    rng = saved.get("rng") or {}
    if "torch" in rng:
        torch.set_rng_state(rng["torch"])
        trainer.generator.set_state(rng["shuffle"])
