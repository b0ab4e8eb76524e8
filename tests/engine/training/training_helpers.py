"""Shared helpers for the training tests: real data sets (reached as ../shared/datasets from the
repository root), small projects built from dicts, and a one-thread setting for steady timings."""

from __future__ import annotations

from neurocanvas.engine import project as project_io
from neurocanvas.engine.data import DataConfig, Dataset, PreparedData, load_dataset, prepare
from real_datasets import DATASETS, MNIST, TABULAR, need  # noqa: F401 - re-exported to the tests


def prepared(source: str, **settings) -> PreparedData:
    cfg = DataConfig(source=source, **settings)
    return prepare(load_dataset(cfg), cfg)


def mnist_8000(split=(0.875, 0.125, 0.0), train_only: bool = False) -> PreparedData:
    """MNIST t10k: the first 8,000 images for training and validation, the last 2,000 as test."""
    cfg = DataConfig(source=str(need(MNIST)), split=split, seed=0)
    ds = load_dataset(cfg)
    head, tail = slice(0, 8000), slice(8000, 10000)
    first = Dataset(ds.x[head], ds.y[head], ds.info, test=Dataset(ds.x[tail], ds.y[tail], ds.info))
    return prepare(first, cfg)


def mnist_subset(n: int, split=(0.8, 0.2, 0.0)) -> PreparedData:
    cfg = DataConfig(source=str(need(MNIST)), split=split, seed=0)
    ds = load_dataset(cfg)
    return prepare(Dataset(ds.x[:n], ds.y[:n], ds.info), cfg)


def sequential_project(
    layers: list[tuple[str, dict]], input_shape="auto", name="test", training: dict | None = None
) -> project_io.Project:
    """Input -> layers in a chain, as a project."""
    nodes = [{"id": "input", "type": "Input", "params": {"shape": input_shape}}]
    edges = []
    for index, (layer_type, params) in enumerate(layers):
        node_id = params.pop("id", f"n{index}")
        nodes.append({"id": node_id, "type": layer_type, "params": params})
        edges.append({"from": [nodes[-2]["id"], 0], "to": [node_id, 0]})
    return project_io.from_dict(
        {
            "format": "neurocanvas",
            "version": 1,
            "name": name,
            "graph": {"nodes": nodes, "edges": edges},
            "training": training or {},
        }
    )
