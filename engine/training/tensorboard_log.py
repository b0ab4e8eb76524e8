"""`TensorBoardLogger`: a run's TensorBoard logs in the run folder's tensorboard/ (the
"tensorboard" setting, `neurocanvas train --tensorboard`), written with torch's SummaryWriter.

What it writes, all readable with TensorBoard's own reader (EventAccumulator):
- scalars each epoch: every metric of the epoch's logs (loss, accuracy, val_*, lr);
- histograms each epoch: every parameter (`weights/<name>`) and its gradient of the epoch's
  last batch (`gradients/<name>`);
- the model graph and up to 16 training images (`samples`) at the start;
- at the end of training, the projector: the penultimate layer's activations for up to 500
  validation (or test) samples, labelled by class (and their images as sprites).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from .callbacks import Callback

if TYPE_CHECKING:
    from .trainer import Trainer

PROJECTOR_SAMPLES = 500
SAMPLE_IMAGES = 16


class TensorBoardLogger(Callback):
    def __init__(self, log_dir: str | Path, histograms: bool = True):
        from torch.utils.tensorboard import SummaryWriter  # ImportError without tensorboard

        self.log_dir = Path(log_dir)
        self.writer = SummaryWriter(str(log_dir))
        self.histograms = histograms

    @staticmethod
    def available() -> bool:
        try:
            import tensorboard  # noqa: F401
        except ImportError:
            return False
        return True

    def on_run_start(self, trainer: Trainer) -> None:
        sample = trainer.data.train.x[:1].to(trainer.device)
        # The graph is a nicety; tracing may not support every model.
        with contextlib.suppress(Exception):
            self.writer.add_graph(trainer.model, sample)
        images = _as_images(trainer.data.train.x[:SAMPLE_IMAGES])
        if images is not None:
            self.writer.add_images("samples", images, 0)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        for name, value in logs.items():
            self.writer.add_scalar(name, value, epoch)
        if self.histograms:
            for name, parameter in trainer.model.named_parameters():
                self.writer.add_histogram(f"weights/{name}", _cpu(parameter), epoch)
                if parameter.grad is not None:
                    self.writer.add_histogram(f"gradients/{name}", _cpu(parameter.grad), epoch)
        self.writer.flush()

    def on_train_end(self, trainer: Trainer) -> None:
        with contextlib.suppress(Exception):  # a model whose layers do not flatten has none
            self._embedding(trainer)
        self.writer.flush()

    def _embedding(self, trainer: Trainer) -> None:
        from ..inspect.capture import capture_batches, input_names, node_order

        nodes = [n for n in node_order(trainer.model) if n not in input_names(trainer.model)]
        if len(nodes) < 2:
            return
        split = next(
            (s for s in (trainer.data.val, trainer.data.test) if s is not None and len(s.x)),
            trainer.data.train,
        )
        x, y = split.x[:PROJECTOR_SAMPLES], split.y[:PROJECTOR_SAMPLES]
        values = capture_batches(trainer.model, x, [nodes[-2]])[nodes[-2]]
        names = class_names(trainer)
        labels = [names[int(v)] if int(v) < len(names) else str(int(v)) for v in y.reshape(-1)]
        if y.is_floating_point() or len(labels) != len(x):
            labels = None
        self.writer.add_embedding(
            values.reshape(len(values), -1).float(),
            metadata=labels,
            label_img=_as_images(x),
            global_step=trainer.epoch,
            tag=nodes[-2],
        )

    def on_run_end(self, trainer: Trainer, event: Any) -> None:
        self.writer.close()

    on_run_failed = on_run_end


def class_names(trainer: Trainer) -> list[str]:
    return list(getattr(trainer.data, "class_names", None) or [])


def _cpu(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().float().cpu()


def _as_images(x: torch.Tensor) -> torch.Tensor | None:
    """(N, C, H, W) images scaled to 0..1 each (the data is normalised), or None for other data."""
    if x.ndim != 4 or x.shape[1] not in (1, 3) or not x.is_floating_point():
        return None
    x = x.detach().float().cpu()
    low = x.amin(dim=(1, 2, 3), keepdim=True)
    high = x.amax(dim=(1, 2, 3), keepdim=True)
    return (x - low) / (high - low).clamp_min(1e-12)
