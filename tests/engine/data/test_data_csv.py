"""CSV/TSV loading: detection, types, categories, missing values, target and task, and bad input."""

from __future__ import annotations

import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, load_dataset, prepare

MIXED = """\
age;city;income;smoker;outcome
34;Paris;52000;yes;high
28;Berlin;;no;low
45;"Paris";61000;yes;high
;Rome;43000;no;low
52;Berlin;75000;;high
39;Rome;48000;no;medium
61;Paris;83000;yes;high
23;Berlin;31000;no;low
"""


def load(path, **kw):
    return load_dataset(DataConfig(source=str(path), **kw))


def test_semicolon_header_categories_missing_string_labels(write):
    ds = load(write("people.csv", MIXED), missing="most_frequent")
    # age, income numeric; city one-hot (3); smoker one-hot (2): 7 features.
    assert ds.x.shape == (8, 7)
    assert ds.info.task == "multiclass"
    assert ds.info.class_names == ["high", "low", "medium"]
    assert ds.info.class_counts == [4, 3, 1]
    assert "city=Paris" in ds.info.feature_names and "age" in ds.info.feature_names
    text = "\n".join(ds.report)
    assert "semicolon" in text and "with a header" in text
    assert "fill 1 missing cell(s) in column 'age'" in text
    assert "fill 1 missing cell(s) in column 'income'" in text
    # Fill values come from the training split, so the loaded data keeps the gaps for prepare.
    assert torch.isnan(ds.x).any()
    data = prepare(ds, DataConfig(source="people.csv", missing="most_frequent", stratify=False))
    assert not torch.isnan(torch.cat([data.train.x, data.val.x, data.test.x])).any()


def test_missing_drop_reports_rows(write):
    ds = load(write("people.csv", MIXED), missing="drop")
    assert len(ds) == 5
    assert any("dropped 3 row(s) with missing cells" in r for r in ds.report)


def test_missing_mean_fills_with_mean(write):
    ds = load(write("m.csv", "a,b,y\n1,10,0\n,20,1\n3,30,0\n5,40,1\n"), missing="mean")
    assert torch.isnan(ds.x[1, 0])
    cfg = DataConfig(source="m.csv", missing="mean", split=(1.0, 0.0, 0.0), normalize=False)
    data = prepare(ds, cfg)  # every row is a training row here
    assert data.preprocessing.fill[0] == pytest.approx(3.0)
    assert sorted(data.train.x[:, 0].tolist()) == [1.0, 3.0, 3.0, 5.0]
    assert any("the training split's mean (3)" in r for r in data.report)


def test_header_and_no_header_both_work(write):
    rows = "1.0,2.0,a\n3.0,4.0,b\n5.0,6.0,a\n"
    without = load(write("a.csv", rows))
    with_h = load(write("b.csv", "f1,f2,label\n" + rows))
    assert without.x.shape == with_h.x.shape == (3, 2)
    assert torch.equal(without.x, with_h.x)
    assert with_h.info.feature_names == ["f1", "f2"]


def test_all_text_header_detected(write):
    ds = load(write("t.csv", "colour,size,label\nred,big,yes\nblue,small,no\nred,small,yes\n"))
    assert len(ds) == 3 and ds.info.class_names == ["no", "yes"]


def test_quoted_fields_with_delimiters(write):
    ds = load(write("q.csv", 'name,x,y\n"Smith, J",1,0\n"Doe, A",2,1\n"Roe, B",3,0\n'), target="y")
    assert ds.x.shape == (3, 4)  # name one-hot (3) + x
    assert ds.info.task == "binary"


def test_tsv_and_target_by_name_and_index(write):
    text = "a\tb\tc\n1\t0\t5.5\n2\t1\t6.5\n3\t0\t7.25\n4\t1\t8.0\n"
    by_name = load(write("d.tsv", text), target="b")
    by_index = load(write("e.tsv", text), target=1)
    assert by_name.info.task == by_index.info.task == "binary"
    assert by_name.x.shape == (4, 2)
    assert torch.equal(by_name.x, by_index.x)
    reg = load(write("f.tsv", text))  # default: last column, fractional -> regression
    assert reg.info.task == "regression"


def test_task_override(write):
    text = "x,y\n" + "".join(f"{i},{i % 3}\n" for i in range(12))
    assert load(write("a.csv", text)).info.task == "multiclass"
    reg = load(write("b.csv", text), task="regression")
    assert reg.info.task == "regression" and reg.y.dtype == torch.float32


def test_many_categories_are_ordinal(write):
    rows = "".join(f"c{i},{i},{i % 2}\n" for i in range(30))
    ds = load(write("o.csv", "cat,num,y\n" + rows))
    assert ds.x.shape == (30, 2)
    assert any("ordinal" in r for r in ds.report)


def test_preview_rows_hold_the_file_as_read(write):
    from neurocanvas.engine.data import preview_rows

    cols, rows = preview_rows(load(write("p.csv", MIXED), missing="mean"), n=3)
    assert cols == ["age", "city", "income", "smoker", "outcome"]
    assert rows[0] == ["34.0", "Paris", "52000.0", "yes", "high"] or rows[0][1] == "Paris"
    assert len(rows) == 3 and rows[1][2] == ""


# --- bad input ----------------------------------------------------------------------------------


def test_empty_file(write):
    p = write("empty.csv", "")
    with pytest.raises(DataError, match="empty") as e:
        load(p)
    assert str(p) in str(e.value)


def test_header_only(write):
    with pytest.raises(DataError, match="no data rows"):
        load(write("h.csv", "a,b,c\n"))


def test_ragged_row_too_many_fields(write):
    p = write("r.csv", "a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n")
    with pytest.raises(DataError) as e:
        load(p)
    msg = str(e.value)
    assert str(p) in msg and "line 3" in msg and "column 4" in msg and "ragged" in msg


def test_ragged_row_too_few_fields(write):
    p = write("r.csv", "a,b,c\n1,2,3\n4,5,6\n8,9\n1,1,1\n")
    with pytest.raises(DataError) as e:
        load(p)
    msg = str(e.value)
    assert "line 4" in msg and "column 3" in msg and "ragged" in msg


def test_empty_last_cell_is_missing_not_ragged(write):
    ds = load(write("m.csv", "a,b,c,y\n1,2,,0\n4,5,6,1\n7,8,9,0\n"), missing="mean")
    assert ds.x.shape == (3, 3)


def test_non_numeric_value_in_numeric_column(write):
    p = write("n.csv", "age,weight,y\n30,70,0\n31,71,1\n32,seventy,0\n33,73,1\n")
    with pytest.raises(DataError) as e:
        load(p)
    msg = str(e.value)
    assert str(p) in msg and "line 4" in msg and "column 2 ('weight')" in msg and "seventy" in msg


def test_non_numeric_value_line_counts_blank_lines_and_no_header(write):
    p = write("n.csv", "1,2,0\n\n3,4,1\n5,x,0\n6,7,1\n8,9,0\n")
    with pytest.raises(DataError, match=r"line 4, column 2 \('col2'\)"):
        load(p)


def test_target_column_missing(write):
    p = write("t.csv", "a,b,y\n1,2,0\n3,4,1\n")
    with pytest.raises(DataError, match="no column named 'label'.*'a', 'b', 'y'"):
        load(p, target="label")
    with pytest.raises(DataError, match="out of range"):
        load(p, target=7)


def test_target_column_constant(write):
    with pytest.raises(
        DataError, match=r"target column 'y' has only one value \('1' in all 3 rows\)"
    ):
        load(write("c.csv", "a,b,y\n1,2,1\n3,4,1\n5,6,1\n"))


def test_unreadable_binary_file(write):
    with pytest.raises(DataError, match="binary file"):
        load(write("bin.csv", bytes(range(256)) * 4))


def test_every_row_missing_with_drop(write):
    with pytest.raises(DataError, match="every row has a missing cell"):
        load(write("m.csv", "a,b,y\n1,,0\n,2,1\n3,,0\n"))
