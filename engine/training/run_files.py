"""The trainer's files: the run folder (config.json, metric logs, result.json at the end),
best.pt / last.pt (written at most every CHECKPOINT_INTERVAL seconds and at the end; the best
weights wait in memory), and resuming from last.pt. A mixin of `Trainer`, kept apart so each module stays short."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import torch

from .. import project as project_io
from . import checkpoint as ckpt
from .callbacks import CsvLogger, JsonlLogger, TensorBoardLogger, json_safe

RESULT_FILE = "result.json"
CHECKPOINT_INTERVAL = 10.0  # seconds between checkpoint writes (always written at the end)


class RunFilesMixin:
    def checkpoint_path(self, which: str = "best") -> Path | None:
        return None if self.run_dir is None else self.run_dir / f"{which}.pt"

    def _bundle(
        self, epoch: int, logs: dict[str, float], state: dict[str, torch.Tensor], resume: bool
    ) -> dict[str, Any]:
        preprocessing = getattr(self.data, "preprocessing", None)
        info = getattr(self.data, "info", None)
        bundle = {
            "state_dict": state,
            "project": self.project.to_dict(),
            "preprocessing": preprocessing.to_dict() if hasattr(preprocessing, "to_dict") else None,
            "class_names": self.class_names,
            "auto": ckpt.auto_to_dict(self.auto),
            "data_info": info.to_dict() if hasattr(info, "to_dict") else None,
            "task": self.objective.task,
            "loss": self.objective.loss,
            "mode": self.config.mode,
            "head": self.objective.head,
            "epoch": epoch,
            "metrics": dict(logs),
            "config": self.config.to_dict(),
            "seed": self.config.seed,
        }
        if resume:
            bundle.update(
                optimizer=self.optimizer.state_dict(),
                step=self.step,
                scheduler=self.schedule.state_dict(),
                history=self.history,
                best={"epoch": self.best_epoch, "value": self.best_value, "monitor": self.monitor},
                rng={"torch": torch.get_rng_state(), "shuffle": self.generator.get_state()},
            )
        return bundle

    def _save_checkpoints(
        self, epoch: int, logs: dict[str, float], improved: bool, force: bool = False
    ) -> None:
        """Write last.pt (and best.pt when a new best is pending) at most every
        CHECKPOINT_INTERVAL seconds; the best weights wait in memory meanwhile."""
        if self.run_dir is None or not self.config.checkpoint:
            return
        self._best_pending = self._best_pending or improved
        now = time.perf_counter()
        if force or now - self._last_write >= CHECKPOINT_INTERVAL:
            self._write_last(epoch, logs)
            self._write_best()
            self._last_write = time.perf_counter()

    def _write_last(self, epoch: int, logs: dict[str, float], partial: bool = False) -> None:
        bundle = self._bundle(epoch, logs, ckpt.cpu_state_dict(self.model), resume=True)
        ckpt.write_checkpoint(self.run_dir / "last.pt", {**bundle, "partial_epoch": partial})

    def _write_best(self) -> None:
        if self._best_pending and self.best_state is not None:
            state = {k: v.detach().to("cpu", copy=True) for k, v in self.best_state.items()}
            ckpt.write_checkpoint(
                self.run_dir / "best.pt",
                self._bundle(self.best_epoch, self.best_logs, state, False),
            )
            self._best_pending = False

    def _load_resume_state(self) -> None:
        bundle = ckpt.read_checkpoint(self.resume_from)
        self.model.load_state_dict(bundle["state_dict"])
        self.optimizer.load_state_dict(bundle["optimizer"])
        self.schedule.load_state_dict(bundle.get("scheduler"))
        self.epoch, self.step = int(bundle["epoch"]), int(bundle.get("step", 0))
        self.history = list(bundle.get("history", []))
        best = bundle.get("best") or {}
        self.best_epoch, self.best_value = int(best.get("epoch", 0)), best.get("value", math.nan)
        best_path = self.resume_from.parent / "best.pt"
        if best_path.is_file():
            self.best_state = {
                k: v.to(self.device)
                for k, v in ckpt.read_checkpoint(best_path)["state_dict"].items()
            }
        rng = bundle.get("rng") or {}
        if "torch" in rng:
            torch.set_rng_state(rng["torch"])
            self.generator.set_state(rng["shuffle"])

    def _prepare_run_dir(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        info = getattr(self.data, "info", None)
        config = {
            "project": self.project.to_dict(),
            "training": self.config.to_dict(),
            "data": info.to_dict() if hasattr(info, "to_dict") else None,
            "device": str(self.device),
            "loss_note": self.objective.note,
        }
        project_io.write_atomic(self.run_dir / "config.json", json.dumps(config, indent=2) + "\n")
        self.callbacks += [
            JsonlLogger(self.run_dir / "metrics.jsonl"),
            CsvLogger(self.run_dir / "metrics.csv"),
        ]
        if self.config.tensorboard and TensorBoardLogger.available():
            self.callbacks.append(TensorBoardLogger(self.run_dir / "tensorboard"))

    def _write_result(self, event) -> None:
        """result.json: how the run ended (RunFinished or RunFailed), for the runs list."""
        if self.run_dir is None or not self.run_dir.is_dir():
            return
        payload = json.dumps(json_safe(event.to_dict()), indent=2) + "\n"
        project_io.write_atomic(self.run_dir / RESULT_FILE, payload)
