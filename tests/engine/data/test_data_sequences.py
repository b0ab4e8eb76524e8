"""Sequences to classify: the .ts format and UCR's TSV layout, padding with a mask that never
changes the answer, and prepare's split/normalise path on (N, channels, length) series."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, load_dataset, prepare
from neurocanvas.engine.data.preprocessing import Preprocessing, fit_preprocessing
from neurocanvas.engine.data.sequences import repad
from real_datasets import SEQUENCES, need

UNIVARIATE = """# a comment line
#another
@problemName Tiny
@timeStamps false
@univariate true
@equalLength true
@seriesLength 4
@classLabel true up down
@data
1,2,3,4:up
4,3,2.5,1:down

0.5,1.5,2.5,3.5:up
"""

MULTIVARIATE = """@problemName Multi
@univariate false
@dimensions 2
@equalLength false
@classLabel true a b
@data
1,2,3:10,20,30:a
4,5:40,50:b
6,?,8,9:60,70,80,90:a
"""


def test_univariate_ts_values_and_labels(write):
    ds = load_dataset(DataConfig(source=str(write("tiny.ts", UNIVARIATE))))
    expected = np.array([[[1, 2, 3, 4]], [[4, 3, 2.5, 1]], [[0.5, 1.5, 2.5, 3.5]]], np.float32)
    assert ds.x.dtype == torch.float32 and ds.x.shape == (3, 1, 4)
    np.testing.assert_array_equal(ds.x.numpy(), expected)
    assert ds.info.class_names == ["up", "down"]  # as @classLabel declares them
    assert ds.y.tolist() == [0, 1, 0] and ds.info.task == "binary"
    assert ds.info.is_sequence and ds.info.feature_shape == (1, 4)


def test_multivariate_unequal_is_padded_at_the_end_with_a_mask_channel_last(write):
    ds = load_dataset(DataConfig(source=str(write("multi.ts", MULTIVARIATE))))
    assert ds.x.shape == (3, 3, 4)  # 2 channels + the mask, padded to the longest (4)
    np.testing.assert_array_equal(ds.x[1].numpy(), [[4, 5, 0, 0], [40, 50, 0, 0], [1, 1, 0, 0]])
    # a missing value ('?') is a masked step too, its value 0
    np.testing.assert_array_equal(ds.x[2, 2].numpy(), [1, 0, 1, 1])
    assert ds.x[2, 0, 1] == 0
    assert ds.info.feature_names == ["channel1", "channel2", "mask"]
    assert ds.x[:, -1].sum(-1).tolist() == [3, 2, 3]  # lengths (real steps) from the mask


def test_ucr_tsv_matches_an_independent_parse(write):
    rows = np.random.default_rng(0).normal(size=(6, 9)).round(5)
    labels = [1, 2, 1, 2, 3, 3]
    text = "".join(f"{c}\t" + "\t".join(map(str, r)) + "\n" for c, r in zip(labels, rows))
    path = write("Toy_TRAIN.tsv", text)
    ds = load_dataset(DataConfig(source=str(path), params={"layout": "ucr"}))
    reference = np.loadtxt(path, delimiter="\t")
    np.testing.assert_allclose(ds.x[:, 0].numpy(), reference[:, 1:], rtol=1e-6)
    assert ds.info.class_names == ["1", "2", "3"] and ds.y.tolist() == [0, 1, 0, 1, 2, 2]


def test_ucr_tsv_unequal_rows_end_in_nan_which_is_padding(write):
    path = write("Ragged.tsv", "a\t1\t2\t3\nb\t4\tNaN\tNaN\na\t5\t6\t\n")
    ds = load_dataset(DataConfig(source=str(path), params={"layout": "ucr"}))
    assert ds.x[:, -1].sum(-1).tolist() == [3, 1, 2]


def _fitted(ds):
    return fit_preprocessing(ds.x, ds.info, normalize=True)


def test_padding_never_changes_the_statistics_or_a_masked_answer(write):
    ds = load_dataset(DataConfig(source=str(write("multi.ts", MULTIVARIATE))))
    longer = repad(ds, 40, mask=True)  # the same series with 36 more padded steps
    a, b = _fitted(ds), _fitted(longer)
    torch.testing.assert_close(a.mean, b.mean, rtol=0, atol=0)
    torch.testing.assert_close(a.std, b.std, rtol=0, atol=0)
    xa, xb = a.apply(ds.x), b.apply(longer.x)
    torch.testing.assert_close(xa, xb[..., :4], rtol=0, atol=0)
    assert (xb[..., 4:] == 0).all()  # padded steps stay exactly 0 after standardising
    # statistics over real steps only: an independent computation from the raw values
    real = [1, 2, 3, 4, 5, 6, 8, 9]
    assert a.mean[0, 0].item() == pytest.approx(np.mean(real))
    assert a.std[0, 0].item() == pytest.approx(np.std(real), rel=1e-6)
    # a forward RNN read up to each series' length gives the same state however long the padding
    rnn = torch.nn.RNN(3, 5, batch_first=True)
    lengths = xa[:, -1].sum(-1).long()  # (missing '?' steps are inside, so use the last real step)
    last = torch.tensor([int(torch.nonzero(m).max()) for m in xa[:, -1]])
    with torch.no_grad():
        out_a, _ = rnn(xa.transpose(1, 2))
        out_b, _ = rnn(xb.transpose(1, 2))
    idx = torch.arange(len(last))
    torch.testing.assert_close(out_a[idx, last], out_b[idx, last])
    assert lengths.tolist() == [3, 2, 3]


def test_the_mask_flag_survives_the_preprocessing_record(write):
    ds = load_dataset(DataConfig(source=str(write("multi.ts", MULTIVARIATE))))
    pre = _fitted(ds)
    again = Preprocessing.from_dict(pre.to_dict())
    assert again.masked and again.kind == "sequence"
    torch.testing.assert_close(again.apply(ds.x), pre.apply(ds.x))


def test_prepare_splits_and_standardises_per_channel_on_the_training_split(write):
    lines = ["@univariate true", "@classLabel true 0 1", "@data"]
    rng = np.random.default_rng(1)
    for i in range(40):
        values = rng.normal(loc=5 * (i % 2), size=8)
        lines.append(",".join(f"{v:.4f}" for v in values) + f":{i % 2}")
    cfg = DataConfig(source=str(write("two.ts", "\n".join(lines))), split=(0.5, 0.25, 0.25))
    data = prepare(load_dataset(cfg), cfg)
    assert (len(data.train), len(data.val), len(data.test)) == (20, 10, 10)
    assert data.train.y.bincount().tolist() == [10, 10]  # stratified
    assert abs(float(data.train.x.mean())) < 1e-5
    assert float(data.train.x.std(unbiased=False)) == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize(
    "body, line, column, words",
    [
        ("@data\n1,2,x,4:up\n", 2, 5, "'x' is not a finite number"),
        ("@data\n1,inf,3:up\n", 2, 3, "'inf' is not a finite number"),
        ("@\n@data\n1,2,x:up\n", 3, 5, "'x' is not"),
        ("@univariate true\n@data\n1,2:3,4:up\n", 3, 1, "2 channel(s) where the header says 1"),
        ("@classLabel true up down\n@data\n1,2:left\n", 3, 5, "'left' is not among"),
        ("@equalLength true\n@seriesLength 3\n@data\n1,2:up\n", 4, 1, "@seriesLength says 3"),
        ("1,2,3:up\n", 1, 1, "expected an @ header"),
        ("@classLabel true up\n@data\n1,2,3\n", 3, 6, "class label after the last ':'"),
    ],
)
def test_bad_ts_lines_are_named_by_line_and_column(write, body, line, column, words):
    if "@classLabel" not in body:
        body = "@classLabel true up down\n" + body
        line += 1
    path = write("bad.ts", body)
    with pytest.raises(DataError) as caught:
        load_dataset(DataConfig(source=str(path)))
    error = caught.value
    assert (error.path, error.line, error.column) == (str(path), line, column)
    assert words in str(error)


def test_a_ts_file_without_data_or_with_params_is_refused(write):
    with pytest.raises(DataError, match="no @data"):
        load_dataset(DataConfig(source=str(write("none.ts", "@problemName x\n"))))
    path = write("ok.ts", UNIVARIATE)
    with pytest.raises(DataError, match="takes no params"):
        load_dataset(DataConfig(source=str(path), params={"window": 3}))


def test_gunpoint_loads_right_one_nearest_neighbour_scores_the_published_figure():
    train = need(SEQUENCES / "GunPoint_TRAIN.ts")
    test = need(SEQUENCES / "GunPoint_TEST.ts")
    ds = load_dataset(DataConfig(source=str(train), test_source=str(test)))
    assert ds.x.shape == (50, 1, 150) and ds.test.x.shape == (150, 1, 150)
    nearest = torch.cdist(ds.test.x.flatten(1), ds.x.flatten(1)).argmin(dim=1)
    accuracy = float((ds.y[nearest] == ds.test.y).float().mean())
    # The UCR archive's own 1-NN Euclidean figure for GunPoint is 0.913 (error 0.087).
    assert accuracy == pytest.approx(0.913, abs=0.001)


def test_arrowhead_in_ucr_layout():
    path = need(SEQUENCES / "ArrowHead_TRAIN.tsv")
    ds = load_dataset(DataConfig(source=str(path), params={"layout": "ucr"}))
    assert ds.x.shape == (36, 1, 251) and ds.info.class_names == ["0", "1", "2"]


def test_a_path_spec_takes_params_after_a_colon(write):
    path = write("Toy.tsv", "1\t0.5\t0.25\n2\t1.5\t1.25\n")
    cfg = DataConfig.from_spec(f"{path}:layout=ucr")
    assert cfg.source == str(path) and cfg.params == {"layout": "ucr"}
    assert load_dataset(cfg).x.shape == (2, 1, 2)
    with pytest.raises(DataError, match="layout"):
        DataConfig.from_spec(f"{path}:layout=grid")
