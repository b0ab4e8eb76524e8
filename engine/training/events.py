"""Events the trainer publishes: small frozen dataclasses of plain data (numbers, strings, lists,
dicts of those), safe to hand to another thread (the GUI's worker re-emits them as Qt signals).

Every event has ``to_dict()`` giving a JSON-able mapping with an ``"event"`` key naming its kind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    def to_dict(self) -> dict[str, Any]:
        return {"event": type(self).__name__, **asdict(self)}


@dataclass(frozen=True)
class RunStarted(Event):
    run_dir: str | None
    device: str  # "cpu", "cuda", "mps"
    device_name: str  # e.g. "CPU (2 threads)" or "NVIDIA H100 80GB HBM3"
    param_count: int
    trainable_count: int
    config: dict[str, Any]
    task: str
    loss: str
    loss_note: str  # how a final Softmax/Sigmoid is handled, for the summary
    num_train: int
    num_val: int
    num_test: int
    batches_per_epoch: int
    start_epoch: int = 1  # > 1 when resumed
    amp: bool = False
    compile_note: str = ""  # the compiled fast path: its compile time, or why it fell back


@dataclass(frozen=True)
class BatchEnded(Event):
    """Throttled: at most about ten a second. ``loss`` is the mean since the last BatchEnded."""

    epoch: int
    batch: int  # 1-based within the epoch
    batches: int  # per epoch
    step: int  # global optimizer step
    loss: float
    samples_per_s: float
    lr: float
    gpu_memory_mib: float | None = None  # memory the run holds on a CUDA device; None elsewhere


@dataclass(frozen=True)
class EpochEnded(Event):
    epoch: int
    epochs: int
    train: dict[str, float]
    val: dict[str, float]
    lr: float
    seconds: float
    samples_per_s: float  # training samples per second this epoch (validation excluded)
    improved: bool  # the monitored metric reached a new best
    # {node id: mean L2 norm of its parameters' gradients this epoch, before clipping}
    grad_norms: dict[str, float] = field(default_factory=dict)
    # A generator's outputs for fixed noise (N, *sample shape) on the CPU (gan_step.py), an
    # RBM's pictures (a dict of numpy arrays: rbm_pictures.py), or None.
    samples: Any = None


@dataclass(frozen=True)
class RunFinished(Event):
    best_epoch: int
    epochs_run: int
    stopped: str  # "completed", "early_stopping", "user", "terminated" (SIGTERM)
    test: dict[str, float]
    confusion_matrix: list[list[int]] | None
    class_names: list[str]
    checkpoint: str | None  # best.pt (or last.pt when there is no validation split)
    run_dir: str | None
    seconds: float
    samples_per_s: float
    per_class: dict[str, list[float]] = field(default_factory=dict)
    evaluated_on: str = "test"  # "test", or "val"/"train" when the data has no test split
    splits: dict[str, dict[str, float]] = field(default_factory=dict)  # each split's metrics
    # A forecast's test windows: "actual", "predicted", "naive" (and "seasonal"), one list each
    forecast: dict[str, list] = field(default_factory=dict)
    # Texts: {"text", "true", "predicted", "confidence"} per mistake, the most confident first
    misclassified: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class RunFailed(Event):
    message: str
    kind: str  # "nan", "oom", "error"
    epoch: int
    checkpoint: str | None  # the last good checkpoint, kept
    run_dir: str | None
    details: str = ""  # traceback text, for a "details" box


ALL_EVENTS = (RunStarted, BatchEnded, EpochEnded, RunFinished, RunFailed)
