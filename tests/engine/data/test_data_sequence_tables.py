"""Series to classify laid out as tables: the wide layout (one series a row) and the long layout
(one step a row), checked against the .ts and UCR readers on the same series, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from neurocanvas.engine.data import DataConfig, DataError, load_dataset

UCR = "up\t1\t2\t3\t4\ndown\t4\t3\t2.5\tNaN\nup\t0.5\t1.5\t2.5\t3.5\n"
WIDE = "id,t1,t2,t3,t4,label\ns1,1,2,3,4,up\ns2,4,3,2.5,,down\ns3,0.5,1.5,2.5,3.5,up\n"
MULTI_TS = """@problemName Multi
@univariate false
@dimensions 2
@equalLength false
@classLabel true a b
@data
1,2,3:10,20,30:a
4,5:40,50:b
"""
# the same two series, one step a row, in shuffled order: the time column puts them back
LONG = """series,step,x,y,class
A,2,2,20,a
B,1,4,40,b
A,1,1,10,a
A,3,3,30,a
B,2,5,50,b
"""


def _load(path, **params):
    return load_dataset(DataConfig(source=str(path), params=params))


def _same(a, b):
    np.testing.assert_array_equal(a.x.numpy(), b.x.numpy())
    assert a.y.tolist() == b.y.tolist()
    assert a.info.class_names == b.info.class_names
    assert a.info.feature_names == b.info.feature_names


def test_wide_rows_read_as_the_ucr_reader_reads_the_same_series(write):
    wide = _load(write("wide.csv", WIDE), layout="wide", ignore=["id"])
    ucr = _load(write("same.tsv", UCR), layout="ucr")
    _same(wide, ucr)
    # the empty last cell is a shorter series: masked, not a value
    np.testing.assert_array_equal(wide.x[1].numpy(), [[4, 3, 2.5, 0], [1, 1, 1, 0]])
    assert wide.info.is_sequence and "wide" in wide.report[0]


def test_long_rows_sorted_by_time_read_as_the_ts_reader_reads_the_same_series(write):
    long = load_dataset(
        DataConfig(
            source=str(write("long.csv", LONG)),
            target="class",
            params={"layout": "long", "id": "series", "time": "step"},
        )
    )
    ts = load_dataset(DataConfig(source=str(write("multi.ts", MULTI_TS))))
    np.testing.assert_array_equal(long.x.numpy(), ts.x.numpy())
    assert long.y.tolist() == ts.y.tolist() and long.info.class_names == ts.info.class_names
    assert long.x.shape == (2, 3, 3)  # x, y and the mask (B is shorter)


def test_long_without_a_time_column_keeps_the_file_order(write):
    text = "id,v,label\nq,3,no\nq,1,no\nr,7,yes\n"
    ds = _load(write("order.csv", text), layout="long")
    np.testing.assert_array_equal(ds.x[0].numpy(), [[3, 1], [1, 1]])
    np.testing.assert_array_equal(ds.x[1].numpy(), [[7, 0], [1, 0]])


def test_long_dates_order_the_rows(write):
    text = "id,date,v,label\nq,2020-03,3,no\nq,2020-01,1,no\nq,2020-02,2,no\nr,2020-01,5,yes\n"
    ds = _load(write("dates.csv", text), layout="long", time="date")
    np.testing.assert_array_equal(ds.x[0, 0].numpy(), [1, 2, 3])


def test_a_label_that_changes_inside_a_series_is_named_by_line(write):
    text = "id,v,label\nq,3,no\nq,1,yes\n"
    with pytest.raises(DataError) as caught:
        _load(write("bad.csv", text), layout="long")
    assert caught.value.line == 3 and "one label" in str(caught.value)


def test_a_time_given_twice_in_a_series_is_named_by_line(write):
    text = "id,t,v,label\nq,1,3,no\nr,1,2,no\nq,1,4,no\n"
    with pytest.raises(DataError) as caught:
        _load(write("twice.csv", text), layout="long", time="t")
    assert caught.value.line == 4 and "comes twice" in str(caught.value)
    assert "line 2" in str(caught.value)


def test_a_text_cell_in_a_wide_file_says_to_ignore_id_columns(write):
    with pytest.raises(DataError) as caught:
        _load(write("wide.csv", WIDE), layout="wide")
    error = caught.value
    assert (error.line, error.column) == (2, 1) and "ignored columns" in error.message


def test_an_empty_label_is_named_by_line_and_column(write):
    with pytest.raises(DataError) as caught:
        _load(write("nolabel.csv", "a,b,label\n1,2,x\n3,4,\n"), layout="wide")
    assert (caught.value.line, caught.value.column) == (3, 3)


def test_unknown_and_misplaced_settings_are_refused(write):
    path = write("wide.csv", WIDE)
    with pytest.raises(DataError, match="unknown wide setting"):
        _load(path, layout="wide", window=3)
    with pytest.raises(DataError, match="no column named 'nope'"):
        _load(path, layout="wide", ignore=["nope"])


def test_a_wide_test_file_is_padded_to_the_training_files_length(write):
    train = write("train.csv", "a,b,c,label\n1,2,3,x\n4,5,6,y\n")
    test = write("test.csv", "a,b,c,d,label\n1,2,3,4,y\n")
    ds = load_dataset(
        DataConfig(source=str(train), test_source=str(test), params={"layout": "wide"})
    )
    assert ds.x.shape[1:] == ds.test.x.shape[1:] == (2, 4)
    assert ds.test.y.tolist() == [1]  # numbered by the training file's classes


def test_a_cli_spec_names_the_layout_the_label_and_a_list_of_columns(write):
    path = write("wide.csv", "id,note,t1,t2,label\ns1,x,1,2,up\ns2,y,3,4,down\n")
    cfg = DataConfig.from_spec(f"{path}:layout=wide,ignore=id;note,target=label")
    assert cfg.target == "label" and cfg.params == {"layout": "wide", "ignore": ["id", "note"]}
    ds = load_dataset(cfg)
    np.testing.assert_array_equal(ds.x.numpy(), [[[1, 2]], [[3, 4]]])
    one = DataConfig.from_spec(f"{path}:layout=wide,ignore=id,target=label")
    with pytest.raises(DataError, match="'x' is not a number"):
        load_dataset(one)  # the note column is still read as values
