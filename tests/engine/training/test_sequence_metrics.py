"""Balanced accuracy and macro-F1 against hand-computed (sklearn-defined) values, and forecasts
scored against their naive and seasonal-naive baselines, computed here from the raw series."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.training.forecast_metrics import forecast_metrics
from neurocanvas.engine.training.losses import Objective
from neurocanvas.engine.training.metrics import classification_metrics


def _oracle(true: list[int], pred: list[int]) -> tuple[float, float]:
    """sklearn's balanced_accuracy_score and f1_score(average='macro'), by plain counting."""
    recalls, f1s = [], []
    for c in sorted(set(true) | set(pred)):
        tp = sum(t == c and p == c for t, p in zip(true, pred))
        fp = sum(t != c and p == c for t, p in zip(true, pred))
        fn = sum(t == c and p != c for t, p in zip(true, pred))
        if c in true:
            recalls.append(tp / (tp + fn))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(recalls) / len(recalls), sum(f1s) / len(f1s)


@pytest.mark.parametrize("seed", range(5))
def test_balanced_accuracy_and_macro_f1_match_their_definitions(seed):
    g = torch.Generator().manual_seed(seed)
    # Imbalanced labels, and predictions that sometimes name a class no label has (class 3).
    target = torch.multinomial(torch.tensor([0.7, 0.2, 0.1, 0.0]), 40, True, generator=g)
    logits = torch.randn(40, 4, generator=g) + 2 * torch.nn.functional.one_hot(target, 4)
    objective = Objective("cross_entropy", "multiclass", "softmax", "logits")
    result = classification_metrics(objective, logits, target, 4).metrics
    balanced, macro_f1 = _oracle(target.tolist(), logits.argmax(1).tolist())
    assert result["balanced_accuracy"] == pytest.approx(balanced)
    assert result["macro_f1"] == pytest.approx(macro_f1)


def test_always_the_majority_class_has_chance_balanced_accuracy():
    target = torch.tensor([0] * 8 + [1] * 2)
    logits = torch.tensor([[1.0, 0.0]] * 10)
    objective = Objective("cross_entropy", "multiclass", "softmax", "logits")
    result = classification_metrics(objective, logits, target, 2).metrics
    assert result["accuracy"] == pytest.approx(0.8)
    assert result["balanced_accuracy"] == pytest.approx(0.5)
    assert result["macro_f1"] == pytest.approx((2 * 8 / (16 + 2) + 0) / 2)


def _series(tmp_path, values, header="month,value", times=None):
    times = times or [f"{1950 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    path = tmp_path / "s.csv"
    path.write_text(header + "\n" + "".join(f"{t},{v}\n" for t, v in zip(times, values)))
    return path


def test_baselines_are_the_last_value_and_the_value_a_season_earlier(tmp_path):
    values = [float(v) for v in np.random.default_rng(0).integers(0, 100, 60)]
    params = {"layout": "series", "window": 6, "horizon": 2, "horizon_mode": "window"}
    ds = load_dataset(DataConfig(source=str(_series(tmp_path, values)), params=params))
    assert ds.season == 12  # YYYY-MM
    for k, (start, _end) in enumerate(ds.time_spans.tolist()):
        last = start + 6 - 1
        assert ds.baselines["naive"][k].tolist() == [values[last]] * 2
        for j in (1, 2):  # the targets at last + j; a season back: last + j - 12
            expected = values[last + j - 12] if last + j - 12 >= 0 else None
            got = ds.baselines["seasonal"][k, j - 1].item()
            assert (math.isnan(got) and expected is None) or got == expected


@pytest.mark.parametrize(
    ("times", "season"),
    [
        ([f"2001-01-{d:02d}" for d in range(1, 31)], 7),
        ([f"2001{m:02d}01" for m in range(1, 13)] * 1, 12),
        ([str(1700 + i) for i in range(30)], None),
    ],
)
def test_the_season_comes_from_the_dates(tmp_path, times, season):
    path = _series(tmp_path, list(range(len(times))), "t,v", times)
    ds = load_dataset(DataConfig(source=str(path), params={"layout": "series", "window": 3}))
    assert ds.season == season and ("seasonal" in ds.baselines) == (season is not None)


def test_forecast_metrics_by_hand():
    actual = torch.tensor([10.0, 12.0, 11.0, 15.0])
    predicted = torch.tensor([11.0, 12.0, 10.0, 13.0])
    naive = torch.tensor([9.0, 10.0, 12.0, 11.0])
    out = forecast_metrics(
        predicted, actual, {"naive": naive}, torch.tensor([1.0, 3.0]), torch.tensor([0.0, 1.0])
    )
    assert out["rmse"] == pytest.approx(math.sqrt((1 + 0 + 1 + 4) / 4))
    assert out["mae"] == pytest.approx(1.0)
    assert out["naive_rmse"] == pytest.approx(math.sqrt((1 + 4 + 1 + 16) / 4))
    assert out["naive_mae"] == pytest.approx(2.0)
    assert out["mase"] == pytest.approx(1.0 / 1.5)  # the training naive MAE is (1 + 2) / 2


def test_prepared_baselines_follow_the_split_windows(tmp_path):
    values = [float(v) for v in range(100, 160)]
    cfg = DataConfig(
        source=str(_series(tmp_path, values)),
        params={"layout": "series", "window": 4},
        split=(0.6, 0.2, 0.2),
    )
    data = prepare(load_dataset(cfg), cfg)
    for name in ("train", "val", "test"):
        y, naive = getattr(data, name).y, data.baselines[name]["naive"]
        assert torch.equal(naive, y - 1)  # a rising line: the last value is one below
        seasonal = data.baselines[name]["seasonal"]
        seen = ~seasonal.isnan()  # the first windows' targets have no season before them
        assert seen[-1] and torch.equal(seasonal[seen], (y - 12)[seen])


def test_train_json_reports_each_split(tmp_path, capsys):
    from neurocanvas.engine.cli import main

    values = [float(100 + i + 10 * math.sin(i / 2)) for i in range(144)]
    data = _series(tmp_path, values)
    code = main(
        [
            "train",
            "lstm-forecast",
            "--data",
            f"{data}:layout=series,window=12",
            "--epochs",
            "2",
            "--json",
            "--out",
            str(tmp_path / "run"),
        ]
    )
    assert code == 0
    final = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for name in ("train", "val", "test"):
        assert {"rmse", "mae", "naive_rmse", "mase"} <= set(final["splits"][name])
    assert final["test"]["naive_rmse"] == final["splits"]["test"]["naive_rmse"]
    forecast = final["forecast"]
    assert len(forecast["actual"]) == len(forecast["predicted"]) == len(forecast["times"])
    assert forecast["times"][-1] == "1961-12"  # the last month of the file: 1950-01 + 143


def test_a_text_run_lists_its_mistakes_most_confident_first(tmp_path):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.engine.training import TrainConfig, Trainer

    rows = [("good and helpful", "pos"), ("bad and awful", "neg"), ("helpful", "pos")] * 10
    rows += [("awful", "pos"), ("good", "neg")] * 3  # labels a model gets wrong
    path = tmp_path / "t.csv"
    path.write_text("review,rating\n" + "".join(f"{t},{label}\n" for t, label in rows))
    project = load_template("text-sentiment")
    project.data = {**project.data, "source": str(path), "split": [0.6, 0.2, 0.2]}
    cfg = DataConfig.from_dict(project.data)
    data = prepare(load_dataset(cfg), cfg)
    config = TrainConfig.from_dict(project.training).replace(epochs=3)
    result = Trainer(project, data, config, device="cpu", run_dir=None).run()
    test_texts = data.texts["test"]
    assert len(test_texts) == len(data.test)
    wrong = result.misclassified
    names = data.class_names
    truth = {t: names[int(y)] for t, y in zip(test_texts, data.test.y)}
    assert all(
        m["text"] in truth and m["true"] == truth[m["text"]] != m["predicted"] for m in wrong
    )
    accuracy = result.test["accuracy"]
    assert len(wrong) == round((1 - accuracy) * len(data.test))
    confidences = [m["confidence"] for m in wrong]
    assert confidences == sorted(confidences, reverse=True)


def test_an_embedding_smaller_than_the_vocabulary_is_refused_naming_the_node(tmp_path):
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.templates import load_template
    from neurocanvas.engine.training import Trainer
    from neurocanvas.engine.training.events import RunFailed

    good = ["works great", "really helped me", "no side effects", "I feel better now"]
    bad = ["made me sick", "terrible headaches", "did not work at all", "awful side effects"]
    rows = [(t, "positive") for t in good] * 3 + [(t, "negative") for t in bad] * 3
    path = tmp_path / "t.csv"
    path.write_text("review,rating\n" + "".join(f"{t},{y}\n" for t, y in rows))
    project = load_template("text-sentiment")
    embedding = next(n for n in project.graph.nodes.values() if n.type == "Embedding")
    embedding.params["num_embeddings"] = 10  # the texts have 22 words + [PAD] and [UNK]
    project.data = {**project.data, "source": str(path)}
    cfg = DataConfig.from_dict(project.data)
    result = Trainer(project, prepare(load_dataset(cfg), cfg), run_dir=tmp_path / "run").run()
    assert isinstance(result, RunFailed)  # said before the first batch, not "index out of range"
    assert f"Embedding '{embedding.id}' has 10 rows" in result.message
    assert "at least 24" in result.message
