"""Splits (stratified, seeded), k-fold, train-only normalisation, Preprocessing round trip, labels."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import (
    DataConfig,
    DataError,
    Preprocessing,
    kfold_indices,
    load_dataset,
    make_info,
    prepare,
    split_indices,
)
from neurocanvas.engine.data.info import Dataset, DatasetInfo


def class_dataset(counts: list[int], features: int = 3, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    y = torch.tensor(np.repeat(np.arange(len(counts)), counts))
    x = torch.tensor(rng.normal(5.0, 3.0, size=(len(y), features)), dtype=torch.float32)
    names = [f"c{i}" for i in range(len(counts))]
    task = "binary" if len(counts) == 2 else "multiclass"
    return Dataset(x=x, y=y, info=make_info(x, y, task=task, class_names=names, source="test"))


@pytest.mark.parametrize("counts", [[500, 268], [50, 50, 50], [97, 13, 41, 5, 2]])
@pytest.mark.parametrize("fractions", [(0.7, 0.15, 0.15), (0.6, 0.2, 0.2), (0.8, 0.2, 0.0)])
def test_stratified_split_keeps_each_class_share_within_one(counts, fractions):
    ds = class_dataset(counts)
    parts = split_indices(len(ds), fractions, seed=3, y=ds.y)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(ds)))  # a partition
    for part, f in zip(parts, fractions):
        got = np.bincount(ds.y[part].numpy(), minlength=len(counts))
        for c, n_c in enumerate(counts):
            assert abs(got[c] - n_c * f) <= 1, (c, got[c], n_c * f)


def test_same_seed_same_split_other_seed_other_split():
    ds = class_dataset([60, 40])
    a = split_indices(len(ds), (0.7, 0.15, 0.15), seed=1, y=ds.y)
    b = split_indices(len(ds), (0.7, 0.15, 0.15), seed=1, y=ds.y)
    c = split_indices(len(ds), (0.7, 0.15, 0.15), seed=2, y=ds.y)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_unstratified_split_sizes():
    tr, va, te = split_indices(101, (0.7, 0.15, 0.15), seed=0)
    assert (len(tr), len(va), len(te)) == (71, 15, 15)


def test_single_sample_class_refused_under_stratification():
    ds = class_dataset([30, 1, 20])
    with pytest.raises(DataError, match="class 'c1' has a single sample"):
        prepare(ds, DataConfig(source="test"))
    data = prepare(ds, DataConfig(source="test", stratify=False))  # allowed when asked
    assert len(data.train) + len(data.val) + len(data.test) == 51


@pytest.mark.parametrize(
    "split",
    [[0.7, 0.2, 0.2], [0.5, 0.2], [0.0, 0.5, 0.5], [1.2, -0.1, -0.1], [0.7, 0.3, 0, 0], "abc"],
)
def test_split_fractions_that_do_not_add_up(split):
    with pytest.raises(DataError, match="split"):
        DataConfig(source="xor", split=split)


def test_normalisation_stats_come_from_training_split_only():
    ds = class_dataset([100, 100])
    cfg = DataConfig(source="test", seed=4)
    before = prepare(ds, cfg)
    tr, _, te = split_indices(len(ds), cfg.split, seed=cfg.seed, y=ds.y)
    assert torch.allclose(before.preprocessing.mean, ds.x[torch.from_numpy(tr)].mean(0), atol=1e-5)
    changed = Dataset(x=ds.x.clone(), y=ds.y, info=ds.info)
    changed.x[torch.from_numpy(te)] += 1000.0  # wild test-set values
    after = prepare(changed, cfg)
    assert torch.equal(before.preprocessing.mean, after.preprocessing.mean)
    assert torch.equal(before.preprocessing.std, after.preprocessing.std)
    assert torch.equal(before.train.x, after.train.x)
    assert abs(float(after.train.x.mean())) < 1e-5
    # Test values are normalised with the train stats, not their own.
    assert float(after.test.x.mean()) > 100


def test_own_test_split_is_used():
    ds = class_dataset([40, 40])
    ds.test = class_dataset([5, 5], seed=9)
    data = prepare(ds, DataConfig(source="test"))
    assert len(data.test) == 10 and len(data.train) + len(data.val) == 80
    assert len(data.val) == round(80 * 0.15 / 0.85)
    assert any("own test split" in r for r in data.report)


def test_preprocessing_round_trip_through_weights_only_checkpoint(tmp_path, tabular_dir):
    ds = load_dataset(str(tabular_dir / "iris.csv"))
    data = prepare(ds, DataConfig(source=ds.info.source))
    torch.save({"preprocessing": data.preprocessing.to_dict()}, tmp_path / "ck.pt")
    restored = Preprocessing.from_dict(
        torch.load(tmp_path / "ck.pt", weights_only=True)["preprocessing"]
    )
    raw = ds.x[:5]
    assert torch.allclose(restored.apply(raw), data.preprocessing.apply(raw))
    assert restored.class_names == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]


def test_image_preprocessing_scales_raw_uint8():
    x = torch.rand(20, 3, 4, 4)
    y = torch.arange(20) % 2
    ds = Dataset(
        x=x,
        y=y,
        info=make_info(x, y, task="binary", class_names=["a", "b"], source="t", is_image=True),
    )
    pre = prepare(ds, DataConfig(source="t")).preprocessing
    assert pre.kind == "image" and pre.mean.shape == (3, 1, 1)
    raw = (x[:2] * 255).round().to(torch.uint8)
    assert torch.allclose(pre.apply(raw), pre.apply(raw.float() / 255), atol=1e-5)
    again = Preprocessing.from_dict(pre.to_dict())
    assert again.mean.shape == (3, 1, 1)


def test_no_normalize_leaves_values():
    ds = class_dataset([10, 10])
    data = prepare(ds, DataConfig(source="t", normalize=False))
    assert data.preprocessing.kind == "none"
    assert torch.equal(torch.sort(torch.cat([data.train.x, data.val.x, data.test.x]).flatten())[0],
                       torch.sort(ds.x.flatten())[0])  # fmt: skip


def test_kfold_covers_every_sample_once_and_is_stratified():
    y = np.repeat([0, 1, 2], [30, 20, 10])
    folds = kfold_indices(len(y), 5, seed=0, y=y)
    assert len(folds) == 5
    vals = np.concatenate([v for _, v in folds])
    assert sorted(vals.tolist()) == list(range(60))
    for tr, va in folds:
        assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == 60
        assert np.bincount(y[va], minlength=3).tolist() == [6, 4, 2]
    again = kfold_indices(len(y), 5, seed=0, y=y)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))
    with pytest.raises(DataError):
        kfold_indices(3, 5)


def test_dataset_info_gives_the_auto_sizes_and_reads_back_from_its_dict():
    info = load_dataset(DataConfig(source="blobs", params={"n": 60, "classes": 4})).info
    auto = info.auto_sizes()
    assert (auto.input_shape, auto.output_units, auto.input_dtype) == ((2,), 4, "float32")
    again = DatasetInfo.from_dict(info.to_dict())
    assert again == info and again.auto_sizes() == auto


def test_augmentation_and_preparation_depend_on_preprocessing_not_on_each_other():
    import ast
    from pathlib import Path

    import neurocanvas.engine.data as data_package

    def imported(module: str) -> set[str]:
        tree = ast.parse((Path(data_package.__file__).parent / f"{module}.py").read_text())
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    assert "prepare" not in imported("augment") and "preprocessing" in imported("augment")
    assert "prepare" not in imported("preprocessing") and "augment" not in imported("preprocessing")
