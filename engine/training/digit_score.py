"""A sample-quality figure for generated MNIST digits that needs no download: our own classifier
scores them (an Inception-Score-like measure with the seed CNN instead of Inception).

    scores = score_digits(gan_step.sampler())   # {"mean_confidence", "classes_present"}

The classifier is the `seed-cnn` template trained on the MNIST t10k images found on disk (the
first 8,000, 3 epochs, seed 0: about 0.95 test accuracy on the other 2,000), cached in the user
cache folder as a plain state dict (loaded with weights_only) with its preprocessing. A digit's
confidence is the classifier's top softmax probability; `mean_confidence` averages it over 1,000
samples, and `classes_present` counts the digits predicted for at least 1% of them (10 of
1,000), so a few odd samples do not make a class "present".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

SCORER_VERSION = 1
SAMPLES = 1000
PRESENT_SHARE = 0.01
DIGIT_SHAPE = (1, 28, 28)


def cache_path() -> Path:
    from platformdirs import user_cache_dir

    folder = os.environ.get("NEUROCANVAS_CACHE") or user_cache_dir("neurocanvas")
    return Path(folder) / f"digit-scorer-v{SCORER_VERSION}.pt"


def digit_classifier() -> tuple[torch.nn.Module, Any] | None:
    """(classifier in eval mode, its Preprocessing), trained once and cached; None when MNIST
    is not on disk (never downloaded for this)."""
    from ..compiler import compile_graph
    from ..data import DataError
    from ..data.preprocessing import Preprocessing
    from ..shapes import AutoSizes
    from ..templates import load_template

    graph = load_template("seed-cnn").graph
    path = cache_path()
    if path.is_file():
        try:
            saved = torch.load(path, map_location="cpu", weights_only=True)
            model = compile_graph(graph, auto=AutoSizes(DIGIT_SHAPE, 10))
            model.load_state_dict(saved["state_dict"])
            return model.eval(), Preprocessing.from_dict(saved["preprocessing"])
        except Exception:  # noqa: BLE001, S110 - a stale or broken cache is trained again
            pass
    try:
        model, preprocessing = _train_classifier()
    except DataError:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    from .checkpoint import cpu_state_dict, write_checkpoint

    write_checkpoint(
        path, {"state_dict": cpu_state_dict(model), "preprocessing": preprocessing.to_dict()}
    )
    return model.eval(), preprocessing


def _train_classifier():
    from ..data import DataConfig, Dataset, load_dataset, prepare
    from ..templates import load_template
    from .config import TrainConfig
    from .events import RunFinished
    from .trainer import Trainer

    cfg = DataConfig(source="mnist", split=(0.875, 0.125, 0.0), seed=0)
    ds = load_dataset(cfg)
    head, tail = slice(0, 8000), slice(8000, 10000)
    first = Dataset(ds.x[head], ds.y[head], ds.info, test=Dataset(ds.x[tail], ds.y[tail], ds.info))
    data = prepare(first, cfg)
    project = load_template("seed-cnn")
    config = TrainConfig.from_dict(project.training).replace(
        epochs=3, batch_size=200, checkpoint=False
    )
    trainer = Trainer(project, data, config, device="cpu")
    result = trainer.run()
    if not isinstance(result, RunFinished):
        raise RuntimeError(f"the digit classifier could not be trained: {result.message}")
    return trainer.model, data.preprocessing


@torch.no_grad()
def score_samples(images: torch.Tensor, classifier, preprocessing) -> dict[str, float]:
    """Mean top-class confidence and the classes present among `images` (N, 1, 28, 28) in
    [0, 1] pixels."""
    from .losses import strip_head

    logits = strip_head(classifier)(preprocessing.apply(images.float()))  # without its Softmax
    probabilities = torch.softmax(logits, dim=1)
    confidence, label = probabilities.max(1)
    counts = torch.bincount(label, minlength=probabilities.shape[1])
    present = int((counts >= max(1, round(PRESENT_SHARE * len(images)))).sum())
    return {"mean_confidence": float(confidence.mean()), "classes_present": present}


def score_digits(draw, seed: int = 0) -> dict[str, float]:
    """The two figures for 1,000 digits from `draw(n, seed)` (a GAN step's `sampler()`: the
    generator in eval mode on seeded codes); {} when no MNIST is on disk."""
    with torch.enable_grad():  # training the classifier (once) needs gradients
        scorer = digit_classifier()
    if scorer is None:
        return {}
    return score_samples(draw(SAMPLES, seed), *scorer)
