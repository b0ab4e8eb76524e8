"""A two-graph GAN project for the tests: the 2-D ring of 8 Gaussians (blobs, spread 0.05)."""

from __future__ import annotations

import math

import numpy as np
from neurocanvas.engine import project as project_io
from neurocanvas.engine.data import DataConfig, load_dataset, prepare

# The 8 modes of the ring the toy GANs learn (blobs with 8 classes lie on the unit circle).
CENTRES = np.array(
    [[math.cos(2 * math.pi * j / 8), math.sin(2 * math.pi * j / 8)] for j in range(8)]
)


def ring_data(n: int):
    """`n` points of the 8-mode ring, all for training, unscaled (the generator's targets)."""
    cfg = DataConfig(
        source="blobs",
        params={"n": n, "classes": 8, "spread": 0.05},
        split=(1.0, 0.0, 0.0),
        normalize=False,
    )
    return prepare(load_dataset(cfg), cfg)


def chain(layers: list[tuple[str, str, dict]]) -> dict:
    nodes = [{"id": i, "type": t, "params": p} for i, t, p in layers]
    edges = [{"from": [a[0], 0], "to": [b[0], 0]} for a, b in zip(layers, layers[1:])]
    return {"nodes": nodes, "edges": edges}


def _gan_project(generator: dict, discriminator: dict, epochs: int, training: dict):
    """A two-network ring project trained by the gan step (Adam 1e-3, batch 100, no checkpoint)."""
    return project_io.from_dict(
        {
            "format": "neurocanvas",
            "version": 3,
            "name": "ring",
            "graphs": {"generator": generator, "discriminator": discriminator},
            "training": {
                "step": "gan",
                "epochs": epochs,
                "batch_size": 100,
                "optimizer": {"type": "Adam", "lr": 0.001},
                "checkpoint": False,
                **training,
            },
        }
    )


def ring_project(epochs: int = 30, latent: int = 2, **training) -> project_io.Project:
    relu = {"units": 64, "activation": "relu"}
    generator = chain(
        [
            ("z", "Input", {"shape": [latent], "noise": "normal"}),
            ("g1", "Dense", relu),
            ("g2", "Dense", relu),
            ("xy", "Dense", {"units": 2}),
        ]
    )
    discriminator = chain(
        [
            ("point", "Input", {"shape": "auto"}),
            ("d1", "Dense", relu),
            ("d2", "Dense", relu),
            ("real", "Dense", {"units": 1}),
        ]
    )
    return _gan_project(generator, discriminator, epochs, training)


def graph(layers: list[tuple[str, str, dict]], edges: list[tuple[str, str, int]]) -> dict:
    nodes = [{"id": i, "type": t, "params": p} for i, t, p in layers]
    wires = [{"from": [a, 0], "to": [b, port]} for a, b, port in edges]
    return {"nodes": nodes, "edges": wires}


def conditional_ring_project(epochs: int = 30, **training) -> project_io.Project:
    """The ring with its 8 modes as classes: both networks get the class one-hot."""
    relu = {"units": 64, "activation": "relu"}
    label = {"shape": [8], "noise": "class"}
    tail = [("h1", "Dense", relu), ("h2", "Dense", relu)]
    chain_edges = [("join", "h1", 0), ("h1", "h2", 0)]
    generator = graph(
        [("z", "Input", {"shape": [2], "noise": "normal"}), ("label", "Input", label),
         ("join", "Concatenate", {}), *tail, ("xy", "Dense", {"units": 2})],
        [("z", "join", 0), ("label", "join", 1), *chain_edges, ("h2", "xy", 0)],
    )  # fmt: skip
    discriminator = graph(
        [("point", "Input", {"shape": "auto"}), ("label", "Input", label),
         ("join", "Concatenate", {}), *tail, ("real", "Dense", {"units": 1})],
        [("point", "join", 0), ("label", "join", 1), *chain_edges, ("h2", "real", 0)],
    )  # fmt: skip
    return _gan_project(generator, discriminator, epochs, training)
