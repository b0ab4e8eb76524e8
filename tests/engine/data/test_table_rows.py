"""Raw rows typed in a table's own columns are encoded exactly as the loader encoded the file."""

from __future__ import annotations

import csv
import io

import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, Preprocessing, load_dataset, prepare
from neurocanvas.engine.data.table_rows import row_hint, split_row

CHURN = """\
id,age,usage,region,plan,churn
1,45,60,north,basic,yes
2,23,12.5,south,pro,no
3,37,,east,basic,no
4,51,80,north,team,yes
5,29,33,west,pro,no
6,62,71,south,basic,yes
7,41,44,east,team,no
8,33,27,west,basic,no
"""


def _file_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in r] for r in list(csv.reader(io.StringIO(text)))[1:]]


@pytest.mark.parametrize("max_onehot", [10, 3])  # 3: region (4 values) becomes ordinal
def test_every_file_row_encodes_as_the_loader_did(write, max_onehot):
    path = write("churn.csv", CHURN)
    cfg = DataConfig(
        source=str(path),
        target="churn",
        missing="mean",
        params={"ignore": ["id"], "max_onehot": max_onehot},
    )
    ds = load_dataset(cfg)
    data = prepare(ds, cfg)
    pre = Preprocessing.from_dict(data.preprocessing.to_dict())  # as a checkpoint carries it
    rows = _file_rows(CHURN)
    whole = pre.encode_table_rows(rows)  # every column of the file, id and target included
    features_only = pre.encode_table_rows([[r[1], r[2], r[3], r[4]] for r in rows])
    assert torch.equal(torch.isnan(whole), torch.isnan(ds.x))
    assert torch.equal(torch.nan_to_num(whole, 7.0), torch.nan_to_num(ds.x, 7.0))
    assert torch.equal(torch.nan_to_num(features_only, 7.0), torch.nan_to_num(ds.x, 7.0))
    # ...and through the saved preprocessing (fill, then standardise) as training did.
    assert torch.allclose(pre.apply(whole), data.preprocessing.apply(ds.x))


def test_typed_text_is_split_and_named_errors(write):
    path = write("churn.csv", CHURN)
    cfg = DataConfig(source=str(path), target="churn", params={"ignore": ["id"]})
    pre = prepare(load_dataset(cfg), cfg).preprocessing
    assert split_row(" 45, 60 , north,basic ") == ["45", "60", "north", "basic"]
    assert split_row("45;60;north;basic") == ["45", "60", "north", "basic"]
    assert "region (east/north/south/west)" in row_hint(pre.table)
    x = pre.encode_table_rows([split_row("45, 60, NORTH, basic")])  # case of a value forgiven
    assert x.shape == (1, 2 + 4 + 3)
    with pytest.raises(DataError, match="'region' was trained on the values east, north"):
        pre.encode_table_rows([["45", "60", "mars", "basic"]])
    with pytest.raises(DataError, match="'age' takes a number, not 'old'"):
        pre.encode_table_rows([["old", "60", "north", "basic"]])
    with pytest.raises(DataError, match=r"3 value\(s\); type 4 values \(age, usage, region, plan"):
        pre.encode_table_rows([["45", "60", "north"]])
    # "drop" training had no fill values: a missing cell cannot be filled.
    with pytest.raises(DataError, match="'usage' needs a value"):
        pre.encode_table_rows([["45", "", "north", "basic"]])


def test_models_of_non_table_data_say_so():
    with pytest.raises(DataError, match="not trained on a table"):
        Preprocessing().encode_table_rows([["1"]])


def test_columns_are_described_before_loading(write):
    from neurocanvas.engine.data.column_report import describe_columns

    path = write(
        "t.csv", "id,age,zip,city,note,y\n1,30,1001,Paris,,a\n2,,2002,Rome,,b\n3,41,1001,x9,,a\n"
    )
    facts = {f.name: f for f in describe_columns(path)}
    assert list(facts) == ["id", "age", "zip", "city", "note", "y"]
    assert (facts["age"].kind, facts["age"].missing, facts["age"].values) == ("number", 1, 2)
    assert (facts["city"].kind, facts["city"].values) == ("category", 3)
    assert facts["note"].kind == "empty"
    mixed = write("m.csv", "a,y\n1,0\n2,1\nthree,0\n4,1\n")
    (a, _y) = describe_columns(mixed)
    assert a.kind == "mixed" and "line 4" in a.problem and "'three' is not a number" in a.problem


def test_a_numeric_column_marked_categorical_is_one_hot_encoded(write):
    text = "zip,age,y\n1001,30,a\n2002,,b\n1001,41,a\n3003,50,b\n"
    path = write("z.csv", text)
    cfg = DataConfig(source=str(path), missing="mean", params={"categorical": ["zip"]})
    ds = load_dataset(cfg)
    assert ds.info.feature_names == ["zip=1001", "zip=2002", "zip=3003", "age"]
    assert ds.x[:, :3].tolist() == [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]]
    pre = prepare(ds, cfg).preprocessing
    assert pre.encode_table_rows([["2002", "33"]]).tolist() == [[0, 1, 0, 33]]
    # Missing cells made pandas read a numeric column as floats: its values still read 1001.
    floats = write("f.csv", "zip,y\n1001,a\n,b\n2002,a\n")
    ds = load_dataset(
        DataConfig(source=str(floats), missing="most_frequent", params={"categorical": ["zip"]})
    )
    assert ds.info.feature_names == ["zip=1001", "zip=2002"]
    with pytest.raises(DataError, match="no column named 'nope'"):
        load_dataset(DataConfig(source=str(path), params={"categorical": ["nope"]}))
