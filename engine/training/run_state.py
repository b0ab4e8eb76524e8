"""Getting a run ready: `prepare_run` returns a `RunState`, everything the loop works with.

The model compiled with the data's `auto` sizes and moved to the device, CPU threads, the
objective (loss, task, a stripped output activation), the splits placed on the device as whole
tensors, the optimizer, the LR schedule, the gradient scaler and the monitored metric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import fx

from ..compiler import compile_graph
from ..data.corruption import fixed_noise
from ..graph import Graph
from ..shapes import AutoSizes
from .adapt import adapt_normalizations
from .config import TrainConfig
from .devices import amp_dtype, configure_threads, step_flops
from .losses import Objective, prepare_target, resolve_objective, strip_head
from .lr_groups import param_groups
from .optimizers import build_optimizer
from .run_events import TrainingError
from .schedules import Schedule, build_schedule

Placed = tuple[torch.Tensor, torch.Tensor | None]  # (x, target) on the device; target None: x


@dataclass
class RunState:
    """What one run trains: built by `prepare_run`, read by the loop and the `TrainStep`."""

    model: fx.GraphModule
    view: torch.nn.Module  # the model without a final Softmax/Sigmoid when the loss wants logits
    objective: Objective
    auto: AutoSizes
    device: torch.device
    splits: dict[str, Placed | None]
    optimizers: list[torch.optim.Optimizer]
    schedule: Schedule
    scaler: torch.amp.GradScaler | None
    amp_dtype: torch.dtype | None
    monitor: str
    num_classes: int
    batches_per_epoch: int
    generator: torch.Generator  # the shuffle order's
    train_forward: torch.nn.Module | None = None  # what the step calls: `view`, or it compiled
    compile_note: str = ""  # the compiled fast path: how long it took, or why it fell back


def auto_sizes_for(data: Any) -> AutoSizes:
    """The `auto` sizes of `data`: from its `info`, or guessed from the training tensors."""
    info = getattr(data, "info", None)
    if info is not None:
        return info.auto_sizes()
    train = data.train
    dtype = "int64" if train.x.dtype == torch.int64 else "float32"
    if train.y.is_floating_point():
        units = 1 if train.y.ndim == 1 else int(train.y.shape[1])
    else:
        classes = int(train.y.max()) + 1
        units = 1 if classes <= 2 else classes
    return AutoSizes(tuple(train.x.shape[1:]), units, dtype)


def prepare_run(
    graph: Graph,
    data: Any,
    config: TrainConfig,
    device: torch.device,
    model: fx.GraphModule | None = None,
    *,
    shards: int = 1,
) -> RunState:
    """Everything a run needs, on `device`; `model` (already compiled) is used as it is.
    `shards`: the processes each batch is split over (distributed.py), so an epoch has
    ceil(samples / (shards x batch size)) updates."""
    train = data.train
    if train is None or len(train.x) == 0:
        raise TrainingError("the training split is empty; give the data more samples")
    auto = auto_sizes_for(data)
    fresh = model is None
    model = model if model is not None else compile_graph(graph, auto=auto, seed=config.seed)
    if auto.input_dtype == "int64":
        check_token_ids(model, data)
    model.to(device)
    if fresh:  # a model handed in keeps its statistics (as its weights)
        adapt_normalizations(model, train.x, device)
    if device.type == "cpu":
        sample = train.x[:1].float() if auto.input_dtype == "float32" else train.x[:1]
        flops = None if config.num_threads else step_flops(model, sample, config.batch_size)
        configure_threads(config.num_threads, flops)
    torch.manual_seed(config.seed)  # dropout and other random layers
    dtype = amp_dtype(device, config.amp)
    out_shape = _output_shape(model, train.x[:2], auto, device)
    objective = _objective(model, data, config, out_shape)
    # Frozen nodes' weights have no gradient and are left out: the optimizer never sees them
    # (no weight decay, no momentum on them).
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise TrainingError(
            "every layer is frozen (trainable off), so there is nothing to train; "
            "switch trainable on for at least one layer"
        )
    # One group per block learning-rate multiplier (lr_mult), frozen weights in none.
    optimizer = build_optimizer(param_groups(model, graph, config.optimizer.lr), config.optimizer)
    batches = math.ceil(len(train.x) / (config.batch_size * shards))
    corrupt = getattr(data, "corrupt", None)
    splits = {
        name: _place(
            getattr(data, name, None),
            auto,
            objective,
            out_shape,
            device,
            corrupt if name != "train" else None,  # training batches get fresh noise
        )
        for name in ("train", "val", "test")
    }
    monitor = config.monitor if splits["val"] else config.monitor.removeprefix("val_")
    out_units = out_shape[1] if len(out_shape) > 1 else 1
    view = strip_head(model) if objective.view_output == "logits" else model
    train_forward, compile_note = view, ""
    if config.compile:
        from .compiled import compile_forward

        sample = splits["train"][0][: config.batch_size]
        compiled = compile_forward(view, sample, device, dtype)
        train_forward, compile_note = compiled.forward, compiled.note
    return RunState(
        model=model,
        view=view,
        objective=objective,
        auto=auto,
        device=device,
        splits=splits,
        optimizers=[optimizer],
        schedule=build_schedule(optimizer, config.schedule, batches, config.epochs, monitor),
        scaler=torch.amp.GradScaler("cuda") if dtype == torch.float16 else None,
        amp_dtype=dtype,
        monitor=monitor,
        num_classes=out_units if out_units > 1 else 2,
        batches_per_epoch=batches,
        generator=torch.Generator().manual_seed(config.seed),
        train_forward=train_forward,
        compile_note=compile_note,
    )


def check_token_ids(model: torch.nn.Module, data: Any) -> None:
    """Refuse, naming the node, an Embedding with fewer rows than the data has token ids (a
    vocabulary made larger than the Embedding would otherwise fail mid-run as "index out of
    range in self")."""
    parts = [getattr(data, name, None) for name in ("train", "val", "test")]
    highest = max((int(p.x.max()) for p in parts if p is not None and len(p.x)), default=-1)
    for name, module in model.named_children():
        if isinstance(module, torch.nn.Embedding) and module.num_embeddings <= highest:
            raise TrainingError(
                f"Embedding '{name}' has {module.num_embeddings} rows (ids 0 to "
                f"{module.num_embeddings - 1}) but the data has token ids up to {highest}: set "
                f"its vocabulary size (num_embeddings) to at least {highest + 1}, or the data's "
                f"vocabulary size to {module.num_embeddings}"
            )


def _output_shape(
    model: fx.GraphModule, x: torch.Tensor, auto: AutoSizes, device: torch.device
) -> tuple[int, ...]:
    sample = x.to(device)
    if auto.input_dtype == "float32":
        sample = sample.float()
    model.eval()
    with torch.no_grad():
        shape = tuple(model(sample).shape)
    model.train()
    return shape


def _objective(model, data: Any, config: TrainConfig, out_shape: tuple[int, ...]) -> Objective:
    """The loss and task; the model is told them (and its class names) for its checkpoints."""
    task = getattr(getattr(data, "info", None), "task", None)
    if task is None:
        task = "regression" if data.train.y.is_floating_point() else "classification"
    out_units = out_shape[1] if len(out_shape) > 1 else 1
    objective = resolve_objective(model, config.loss, task, out_units, config.mode)
    model.task, model.loss, model.mode = objective.task, objective.loss, config.mode
    model.class_names = class_names_of(data)
    return objective


def class_names_of(data: Any) -> list[str]:
    names = getattr(data, "class_names", None)
    if names is None:
        names = getattr(getattr(data, "info", None), "class_names", None)
    return list(names or [])


def _place(
    split, auto: AutoSizes, objective: Objective, out_shape, device, corrupt=None
) -> Placed | None:
    """(x, target) on the device (target None in reconstruction mode: target = x). With a
    denoising `corrupt`, x is the input with its fixed evaluation noise and the target is the
    clean x."""
    if split is None or len(split.x) == 0:
        return None
    x = split.x
    if auto.input_dtype == "float32" and x.dtype != torch.float32:
        x = x.float()
    if objective.task == "reconstruction":
        if objective.loss == "binary_cross_entropy":
            check_unit_range(x)
        if corrupt is not None:
            return _to_device(fixed_noise(corrupt, x), device), _to_device(x, device)
        return _to_device(x, device), None
    target = prepare_target(split.y, objective, out_shape)
    return _to_device(x, device), _to_device(target, device)


def check_unit_range(x: torch.Tensor) -> None:
    """Binary cross-entropy reconstructs values in [0, 1]; anything else is a clear error."""
    low, high = float(x.min()), float(x.max())
    if low < 0.0 or high > 1.0:
        raise TrainingError(
            f"binary cross-entropy reconstructs inputs in [0, 1], but the inputs range over "
            f"[{low:.3g}, {high:.3g}]; turn off the data's standardisation (normalize) or use "
            "the mse loss"
        )


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
