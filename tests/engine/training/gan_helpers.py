"""A two-graph GAN project for the tests: the 2-D ring of 8 Gaussians (blobs, spread 0.05)."""

from __future__ import annotations

from neurocanvas.engine import project as project_io


def chain(layers: list[tuple[str, str, dict]]) -> dict:
    nodes = [{"id": i, "type": t, "params": p} for i, t, p in layers]
    edges = [{"from": [a[0], 0], "to": [b[0], 0]} for a, b in zip(layers, layers[1:])]
    return {"nodes": nodes, "edges": edges}


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
