"""Acceptance on the real files in ../shared/datasets: MNIST t10k, Pima, iris, housing."""

from __future__ import annotations

import torch
from neurocanvas.engine.data import DataConfig, load_dataset, prepare


def test_mnist_t10k_idx_folder(mnist_dir):
    # How fast it decodes is measured by `make bench` (bench/bench_data.py), not asserted here.
    ds = load_dataset(DataConfig.from_spec(str(mnist_dir)))
    assert ds.x.shape == (10_000, 1, 28, 28)
    assert ds.x.dtype == torch.float32 and ds.y.dtype == torch.int64
    assert float(ds.x.min()) == 0.0 and float(ds.x.max()) == 1.0
    assert ds.info.class_counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert ds.info.class_names == [str(i) for i in range(10)]
    assert ds.info.is_image and ds.info.feature_shape == (1, 28, 28)
    assert ds.info.task == "multiclass" and ds.info.num_outputs == 10
    assert ds.info.suggested_loss == "cross_entropy"


def test_mnist_by_name_with_root(mnist_dir):
    ds = load_dataset({"source": "mnist", "params": {"root": str(mnist_dir)}})
    assert len(ds) == 10_000 and ds.info.source == "mnist"


def test_mnist_prepared_is_standardised(mnist_dir):
    ds = load_dataset(str(mnist_dir))
    data = prepare(ds, DataConfig(source="mnist"))
    assert len(data.train) + len(data.val) + len(data.test) == 10_000
    assert abs(float(data.train.x.mean())) < 1e-3
    assert abs(float(data.train.x.std()) - 1.0) < 1e-2
    assert 0.12 < data.preprocessing.mean.item() < 0.14  # MNIST's well-known mean pixel 0.13


def test_pima(tabular_dir):
    ds = load_dataset(str(tabular_dir / "pima-indians-diabetes.csv"))
    assert ds.x.shape == (768, 8)
    assert ds.info.task == "binary"
    assert ds.info.class_counts == [500, 268]
    assert ds.info.num_outputs == 1
    assert ds.info.suggested_loss == "binary_cross_entropy"
    assert ds.info.suggested_output_activation == "sigmoid"


def test_iris(tabular_dir):
    ds = load_dataset(str(tabular_dir / "iris.csv"))
    assert ds.x.shape == (150, 4)
    assert ds.info.task == "multiclass"
    assert ds.info.class_names == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    assert ds.info.class_counts == [50, 50, 50]
    assert ds.info.num_outputs == 3 and ds.info.suggested_output_activation == "softmax"


def test_housing(tabular_dir):
    ds = load_dataset(str(tabular_dir / "housing.csv"))
    assert ds.x.shape == (506, 13)
    assert ds.info.task == "regression"
    assert ds.y.dtype == torch.float32 and ds.y.shape == (506,)
    assert ds.info.num_outputs == 1 and ds.info.suggested_loss == "mse"
    assert ds.info.class_names == [] and abs(float(ds.y[0]) - 24.0) < 1e-5
