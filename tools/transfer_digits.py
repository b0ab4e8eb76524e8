"""Transfer learning, measured offline: the seed CNN trained on MNIST, then fine-tuned with its
convolution frozen on scikit-learn's 8x8 digits (shipped inside scikit-learn) upscaled to 28x28,
with only 100 training images, against the same network trained from scratch on those 100.

    python tools/transfer_digits.py [--out DIR]     # prints both test accuracies (~1-2 min)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.data import DataConfig, Dataset, load_dataset, prepare
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training import TrainConfig, Trainer
from neurocanvas.engine.training.init_from import init_from
from neurocanvas.engine.training.run_state import auto_sizes_for
from sklearn.datasets import load_digits

MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"
TRAIN_IMAGES = 100


def digits_npz(path: Path) -> Path:
    """sklearn's digits as MNIST-like 1x28x28 images in [0, 1]: 100 to train, the rest to test."""
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    images = torch.nn.functional.interpolate(images, size=(28, 28), mode="bilinear")
    order = np.random.default_rng(0).permutation(len(images))
    train, test = order[:TRAIN_IMAGES], order[TRAIN_IMAGES:]
    x, y = images.numpy(), digits.target.astype(np.int64)
    np.savez(path, x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test])
    return path


def run(project, data, out: Path, epochs: int, state=None, seed: int = 0):
    config = TrainConfig.from_dict(project.training).replace(
        epochs=epochs, batch_size=20, seed=seed
    )
    trainer = Trainer(project, data, config, device="cpu", run_dir=out)
    trainer.model = compile_graph(project.graph, auto=auto_sizes_for(data), seed=seed)
    report = init_from(trainer.model, state) if state is not None else None
    result = trainer.run()
    return result, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=tempfile.mkdtemp(prefix="transfer-"))
    parser.add_argument("--mnist-images", type=int, default=3000)
    args = parser.parse_args()
    out = Path(args.out)
    mnist_cfg = DataConfig(source=str(MNIST), split=(0.85, 0.15, 0.0), seed=0)
    full = load_dataset(mnist_cfg)
    n = args.mnist_images
    mnist = prepare(Dataset(full.x[:n], full.y[:n], full.info), mnist_cfg)
    pretrained, _ = run(load_template("seed-cnn"), mnist, out / "mnist", epochs=3)
    state = torch.load(pretrained.checkpoint, weights_only=True)["state_dict"]
    where, accuracy = pretrained.evaluated_on, pretrained.test["accuracy"]
    print(f"MNIST ({n} images, 3 epochs): {where} accuracy {accuracy:.3f}")

    cfg = DataConfig(source=str(digits_npz(out / "digits.npz")), split=(0.8, 0.2, 0.0), seed=0)
    digits = prepare(load_dataset(cfg), cfg)
    scratch, _ = run(load_template("seed-cnn"), digits, out / "scratch", epochs=40)
    frozen = load_template("seed-cnn")
    frozen.graph.set_trainable("conv1", False)
    tuned, report = run(frozen, digits, out / "tuned", epochs=40, state=state)
    print("init-from:", "; ".join(report.lines()))
    print(f"digits, {TRAIN_IMAGES} training images, test accuracy:")
    print(f"  from scratch:                   {scratch.test['accuracy']:.3f}")
    print(f"  pretrained on MNIST, conv1 frozen: {tuned.test['accuracy']:.3f}")


if __name__ == "__main__":
    main()
