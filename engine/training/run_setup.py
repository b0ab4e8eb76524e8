"""Getting a run ready (a mixin of `Trainer`, kept apart so each module stays short): the
model compiled with the data's `auto` sizes and moved to the device, CPU threads, the objective
(loss, task, a stripped output activation), the splits placed on the device as whole tensors,
the optimizer, the LR schedule, early stopping and the run folder."""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import torch

from ..compiler import compile_graph
from ..shapes import AutoSizes
from .callbacks import EarlyStopping
from .devices import amp_dtype, configure_threads, step_flops
from .losses import prepare_target, resolve_objective, strip_head
from .optimizers import build_optimizer
from .run_events import TrainingError
from .schedules import build_schedule


class RunSetupMixin:
    def _setup(self) -> None:
        cfg = self.config
        train = self.data.train
        if train is None or len(train.x) == 0:
            raise TrainingError("the training split is empty; give the data more samples")
        self.auto = self._auto_sizes(train)
        if self.model is None:
            self.model = compile_graph(self.project.graph, auto=self.auto, seed=cfg.seed)
        self.model.to(self.device)
        if self.device.type == "cpu":
            configure_threads(
                cfg.num_threads,
                None
                if cfg.num_threads
                else step_flops(
                    self.model,
                    train.x[:1].float() if self.auto.input_dtype == "float32" else train.x[:1],
                    cfg.batch_size,
                ),
            )
        torch.manual_seed(cfg.seed)  # dropout and other random layers
        self.generator = torch.Generator().manual_seed(cfg.seed)
        self.amp_dtype = amp_dtype(self.device, cfg.amp)
        sample = train.x[:2].to(self.device)
        if self.auto.input_dtype == "float32":
            sample = sample.float()
        self.model.eval()
        with torch.no_grad():
            out_shape = tuple(self.model(sample).shape)
        self.model.train()
        task = getattr(getattr(self.data, "info", None), "task", None)
        if task is None:
            task = "regression" if train.y.is_floating_point() else "classification"
        out_units = out_shape[1] if len(out_shape) > 1 else 1
        self.objective = resolve_objective(self.model, cfg.loss, task, out_units, cfg.mode)
        self.view = strip_head(self.model) if self.objective.view_output == "logits" else self.model
        self.num_classes = out_units if out_units > 1 else 2
        self.model.task, self.model.loss, self.model.mode = (
            self.objective.task,
            self.objective.loss,
            cfg.mode,
        )
        self.model.class_names = self.class_names
        self.splits = {
            name: self._place(getattr(self.data, name, None), out_shape)
            for name in ("train", "val", "test")
        }
        self.optimizer = self._optimizer()
        self.batches_per_epoch = math.ceil(len(train.x) / cfg.batch_size)
        self._last_batch_event = None
        self.monitor = cfg.monitor if self.splits["val"] else cfg.monitor.removeprefix("val_")
        self.schedule = build_schedule(
            self.optimizer, cfg.schedule, self.batches_per_epoch, cfg.epochs, self.monitor
        )
        self.scaler = torch.amp.GradScaler("cuda") if self.amp_dtype == torch.float16 else None
        if cfg.early_stopping and not any(isinstance(c, EarlyStopping) for c in self.callbacks):
            es = cfg.early_stopping
            self.callbacks.append(EarlyStopping(self.monitor, es["patience"], es["min_delta"]))
        self._weights = [p for p in self.model.parameters() if p.ndim >= 2]
        if self.resume_from is not None:
            self._load_resume_state()
        if self.run_dir is None and cfg.checkpoint:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", self.project.name).strip("-").lower() or "run"
            self.run_dir = Path("runs") / f"{slug}-{stamp}"
        if self.run_dir is not None:
            self._prepare_run_dir()

    @property
    def class_names(self) -> list[str]:
        names = getattr(self.data, "class_names", None)
        if names is None:
            names = getattr(getattr(self.data, "info", None), "class_names", None)
        return list(names or [])

    def _auto_sizes(self, train) -> AutoSizes:
        info = getattr(self.data, "info", None)
        if info is not None:
            return AutoSizes(tuple(info.feature_shape), info.num_outputs, info.input_dtype)
        dtype = "int64" if train.x.dtype == torch.int64 else "float32"
        if train.y.is_floating_point():
            units = 1 if train.y.ndim == 1 else int(train.y.shape[1])
        else:
            classes = int(train.y.max()) + 1
            units = 1 if classes <= 2 else classes
        return AutoSizes(tuple(train.x.shape[1:]), units, dtype)

    def _place(self, split, out_shape) -> tuple[torch.Tensor, torch.Tensor | None] | None:
        """(x, target) on the device (target None in reconstruction mode: target = x)."""
        if split is None or len(split.x) == 0:
            return None
        x = split.x
        if self.auto.input_dtype == "float32" and x.dtype != torch.float32:
            x = x.float()
        target = (
            None
            if self.objective.task == "reconstruction"
            else prepare_target(split.y, self.objective, out_shape)
        )
        return _to_device(x, self.device), None if target is None else _to_device(
            target, self.device
        )

    def _optimizer(self) -> torch.optim.Optimizer:
        return build_optimizer(self.model.parameters(), self.config.optimizer)


def gpu_memory_mib(device: torch.device) -> float | None:
    """Memory this process holds on a CUDA `device` (no sync: cheap); None on other devices."""
    if device.type != "cuda":
        return None
    return torch.cuda.memory_allocated(device) / 2**20


def _to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    if device.type == "cpu":
        return tensor
    if device.type == "cuda" and not tensor.is_pinned():
        tensor = tensor.pin_memory()
    return tensor.to(device, non_blocking=True)
