"""What the Autoencoder tab shows, computed where the model trains (no Qt): the same few test
samples' inputs, noisy inputs (denoising) and reconstructions, the latent space of the
bottleneck node as 2-D points coloured by label (scikit-learn's PCA when the code is wider), and
for a 2-D code a grid of codes walking across the latent plane, decoded.

    AutoencoderCallback(send)   # a trainer callback: Snapshot(epoch, autoencoder={...})

The bottleneck is a Sampling node (a VAE's code) when the graph has one, else the node with the
fewest values per sample between the input and the output (other than layers of the output's
own size: the decoder's last steps). A code is decoded by running the
model with that node's output replaced (a forward hook that returns the code), so any graph whose
decoder reads the code alone decodes it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from neurocanvas.engine.inspect.capture import capture, node_module, node_order
from neurocanvas.engine.training import Callback

from .messages import Snapshot

SHOWN = 8  # fixed samples in the reconstruction grid
LATENT_POINTS = 500
PLANE = 15  # the latent-plane grid: PLANE x PLANE decoded codes
INTERVAL = 1.5  # seconds between pictures (always the first and last epoch)


def bottleneck_node(model, graph, sample: torch.Tensor) -> tuple[str, int] | None:
    """(node id, values per sample) of the code, or None for a model of one layer."""
    order = node_order(model)
    inner = [node for node in order[1:-1] if node in {n.id for n in graph}]
    if not inner:
        return None
    types = {node.id: node.type for node in graph}
    outputs = capture(model, sample[:2], [*inner, order[-1]])
    out_size = outputs[order[-1]][0].numel() if order[-1] in outputs else -1
    # Layers of the output's own size are the decoder's last steps (pre-activation pixels, a
    # Reshape), never the code.
    sizes = {
        node: outputs[node][0].numel()
        for node in inner
        if node in outputs and outputs[node][0].numel() != out_size
    }
    sampling = [node for node in inner if types.get(node) == "Sampling" and node in sizes]
    if sampling:
        return sampling[-1], sizes[sampling[-1]]
    if not sizes:
        return None
    smallest = min(sizes.values())
    node = [node for node in inner if sizes.get(node) == smallest][-1]
    return node, smallest


@torch.no_grad()
def decode(model, node: str, codes: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The model's output when `node` outputs `codes` (N, ...) instead of its own value."""
    module = node_module(model, node)
    handle = module.register_forward_hook(lambda _m, _a, output: codes.to(output.dtype))
    was_training = model.training
    model.eval()
    try:
        return model(like[:1].expand(len(codes), *like.shape[1:]).contiguous()).float().cpu()
    finally:
        handle.remove()
        model.train(was_training)


def plane_codes(coords: np.ndarray, size: int = PLANE) -> tuple[torch.Tensor, tuple]:
    """A size x size grid of 2-D codes spanning the points' 2nd..98th percentiles, row by row
    from the top (largest second coordinate) down, as the picture reads."""
    low, high = np.percentile(coords, [2, 98], axis=0)
    xs = np.linspace(low[0], high[0], size)
    ys = np.linspace(high[1], low[1], size)
    grid = np.array([[x, y] for y in ys for x in xs], dtype=np.float32)
    return torch.from_numpy(grid), (float(low[0]), float(high[0]), float(low[1]), float(high[1]))


def as_pictures(x: torch.Tensor) -> np.ndarray | None:
    """uint8 (N, H, W) greyscale thumbnails of image samples (for hovering), else None."""
    values = x.float().cpu()
    if values.ndim == 4 and values.shape[1] in (1, 3):
        values = values.mean(1)
    if values.ndim != 3:
        return None
    low, high = float(values.min()), float(values.max())
    unit = (values - low) / max(high - low, 1e-12)
    return (unit * 255).round().to(torch.uint8).numpy()


def autoencoder_picture(trainer, shown, points, node: tuple[str, int] | None) -> dict[str, Any]:
    """The tab's content for the model as it is now. `shown`: (inputs, clean inputs, whether
    the inputs are noisy); `points`: (inputs, None, labels) for the latent space."""
    from neurocanvas.engine.inspect.projection import project

    model = trainer.model
    x, clean, noisy = shown
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            outputs = model(x).float().cpu()
    finally:
        model.train(was_training)
    picture: dict[str, Any] = {
        "inputs": clean.float().cpu().numpy(),
        "noisy": x.float().cpu().numpy() if noisy else None,
        "outputs": outputs.numpy(),
    }
    if node is None:
        return picture
    name, width = node
    px, _, labels = points
    code = capture(model, px, [name])[name].float().cpu().reshape(len(px), -1).numpy()
    if width > 2:
        projected = project(code, "pca", 2)
        coords, method = projected.coords, "PCA"
        explained = [float(v) for v in projected.explained_variance_ratio]
    else:
        coords, method, explained = code[:, :2], "", []
    picture["latent"] = {
        "node": name,
        "width": width,
        "coords": coords.astype(np.float32),
        "labels": labels,
        "images": as_pictures(px),
        "method": method,
        "explained": explained,
    }
    if width == 2:
        codes, extent = plane_codes(coords)
        decoded = decode(model, name, codes.to(px.device).reshape(len(codes), 2), px)
        picture["plane"] = {"samples": decoded.numpy(), "size": PLANE, "extent": extent}
    return picture


class AutoencoderCallback(Callback):
    """For a reconstruction run, hand `send` a Snapshot with `autoencoder` at the first and last
    epoch and at most every INTERVAL seconds between them."""

    def __init__(self, send: Callable[[Snapshot], None]):
        self.send = send
        self.shown = self.points = self.node = None
        self._last = -1e9

    def on_run_start(self, trainer) -> None:
        self.shown = None
        # The rbm step trains in reconstruction mode too, but its model outputs features:
        # the RBM tab shows its reconstructions instead (rbm_pictures.py).
        if trainer.objective.task != "reconstruction" or trainer.config.step == "rbm":
            return
        name = next((n for n in ("test", "val", "train") if trainer.splits.get(n)), None)
        if name is None:
            return
        x, target = trainer.splits[name]
        clean = x if target is None else target
        y = getattr(getattr(trainer.data, name, None), "y", None)
        labels = np.zeros(len(x), np.int64)
        if y is not None and y.ndim <= 1 and len(y) == len(x) and not y.is_floating_point():
            labels = y.reshape(-1).long().numpy()
        self.shown = (x[:SHOWN], clean[:SHOWN], target is not None)
        self.points = (x[:LATENT_POINTS], None, labels[:LATENT_POINTS])
        graph = trainer.project.graph
        with contextlib.suppress(Exception):  # no bottleneck view rather than no run
            self.node = bottleneck_node(trainer.model, graph, x)

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.shown is None:
            return
        now = time.perf_counter()
        edge = epoch in (1, trainer.config.epochs)
        if not edge and now - self._last < INTERVAL:
            return
        self._last = now
        with contextlib.suppress(Exception):  # a picture must never end a run
            picture = autoencoder_picture(trainer, self.shown, self.points, self.node)
            self.send(Snapshot(epoch, autoencoder=picture))
