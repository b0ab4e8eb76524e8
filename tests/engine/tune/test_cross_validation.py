"""k-fold cross-validation: stratified folds, expanding windows for a series, statistics fitted on
each fold's training rows only, one ordinary run per fold, `neurocanvas cv`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from neurocanvas.engine.cli import main
from neurocanvas.engine.data import DataConfig, load_dataset
from neurocanvas.engine.data.folds import cv_folds, expanding_folds, prepare_fold
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import evaluate, load_checkpoint
from neurocanvas.engine.training.cross_validation import cross_validate
from sklearn.model_selection import StratifiedKFold

IRIS = DataConfig(source="iris", split=(0.8, 0.2, 0.0))


def test_stratified_folds_partition_the_rows_with_each_class_spread_like_sklearn():
    ds = load_dataset(IRIS)
    folds = cv_folds(ds, IRIS, 4)
    held = np.concatenate([h for _, h in folds])
    assert sorted(held) == list(range(len(ds)))  # every row held out exactly once
    labels = ds.y.numpy()
    ours = sorted(sorted(np.bincount(labels[h], minlength=3)) for _, h in folds)
    theirs = StratifiedKFold(4).split(np.zeros(len(labels)), labels)
    reference = sorted(sorted(np.bincount(labels[h], minlength=3)) for _, h in theirs)
    assert ours == reference  # the same per-class counts in the folds as scikit-learn's
    for train, h in folds:
        assert not set(train) & set(h)


def test_normalisation_comes_from_the_folds_training_rows_only():
    ds = load_dataset(IRIS)
    fold = cv_folds(ds, IRIS, 3)[0]
    data = prepare_fold(ds, IRIS, fold)
    raw = ds.x.numpy().astype(np.float64)
    train = data.preprocessing.invert(data.train.x).numpy().astype(np.float64)  # raw values
    inside = raw[fold[0]]
    # Every training row is one of the fold's training rows (validation was carved from them).
    assert all(np.isclose(inside, row, atol=1e-4).all(1).any() for row in train)
    assert len(data.train) + len(data.val) == len(fold[0]) and len(data.test) == len(fold[1])
    np.testing.assert_allclose(data.preprocessing.mean.numpy(), train.mean(0), atol=1e-4)
    assert not np.allclose(data.preprocessing.mean.numpy(), raw.mean(0), atol=1e-3)
    # The held-out rows are the fold's test split, scaled with those statistics.
    expected = (raw[fold[1]] - train.mean(0)) / train.std(0, ddof=0)
    np.testing.assert_allclose(data.test.x.numpy(), expected, atol=1e-2)


def test_a_series_gets_expanding_windows_in_time_order():
    spans = np.array([[i, i + 4] for i in range(20)])  # windows of 4 steps over 23 steps
    folds = expanding_folds(spans, 3)
    # Cuts at 23 * j / 4 steps: ~6, 12, 17, 23.
    assert [list(t) for t, _ in folds] == [list(range(3)), list(range(9)), list(range(14))]
    assert [list(h) for _, h in folds] == [[6, 7, 8], [12, 13], [17, 18, 19]]
    for train, held in folds:
        assert spans[train, 1].max() <= spans[held, 0].min()  # nothing from the future
    cfg = DataConfig(source="airline", params={"layout": "series", "window": 12, "horizon": 1})
    ds = load_dataset(cfg)
    airline = cv_folds(ds, cfg, 4)
    assert all(np.all(np.diff(t) > 0) and np.all(np.diff(h) > 0) for t, h in airline)  # in order
    assert [len(t) for t, _ in airline] == sorted(len(t) for t, _ in airline)  # growing
    data = prepare_fold(ds, cfg, airline[1])
    last_train_end = ds.time_spans[airline[1][0]][:, 1].max()
    assert ds.time_spans[airline[1][1]][:, 0].min() >= last_train_end
    assert len(data.val) > 0 and len(data.test) == len(airline[1][1])


def test_too_many_folds_for_a_class_is_refused_naming_it():
    cfg = DataConfig(source="xor", params={"n": 12})
    ds = load_dataset(cfg)
    with pytest.raises(Exception, match="fewer than the 7 folds"):
        cv_folds(ds, cfg, 7)


@pytest.mark.slow
def test_each_fold_is_a_run_scored_on_its_held_out_rows(tmp_path, capsys):
    project = load_project_or_template("xor")
    project.data = {"source": "xor", "params": {"n": 90, "noise": 0.1}, "split": [0.8, 0.2, 0.0]}
    project.training = project.training | {"epochs": 3}
    result = cross_validate(project, 3, run_root=tmp_path / "cv", device="cpu")
    assert result.kind == "stratified" and len(result.folds) == 3
    cfg = DataConfig.from_dict(project.data)
    ds = load_dataset(cfg)
    for fold, metrics, run in zip(cv_folds(ds, cfg, 3), result.folds, result.run_dirs):
        model, _ = load_checkpoint(f"{run}/best.pt")
        held = prepare_fold(ds, cfg, fold).test
        assert evaluate(model, held).metrics["accuracy"] == pytest.approx(metrics["accuracy"])
    accuracy = [m["accuracy"] for m in result.folds]
    mean, std = result.summary()["accuracy"]
    assert (mean, std) == pytest.approx((np.mean(accuracy), np.std(accuracy, ddof=1)))
    # The command line prints the same, as JSON with every fold.
    path = tmp_path / "xor.json"
    from neurocanvas.engine import project as project_io

    project_io.save(project, path)
    assert main(["cv", str(path), "--folds", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["fold"] for f in report["seeds"][0]["folds"]] == [1, 2, 3]
    assert report["mean"]["accuracy"] == pytest.approx(mean)
    assert report["kind"] == "stratified"
