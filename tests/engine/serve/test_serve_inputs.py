"""Request decoding (engine/serve/inputs.py, numpy) against the data engine's own loaders (pandas,
torch): a raw CSV row, a PNG file and a text must become exactly the tensors `load_dataset` +
`Preprocessing.apply` make of the same file, and every refusal names its field."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, Preprocessing, load_dataset, prepare
from neurocanvas.engine.serve.inputs import (
    InputError,
    Preparer,
    SpecError,
    input_kind,
    predictions,
    table_columns,
)
from serve_helpers import make_images, make_table, make_texts, table_rows


def _spec(pre: Preprocessing, shape, dtype="float32", classes=("no", "yes"), output="values"):
    record = pre.to_dict()
    return {
        "name": "m",
        "output": output,
        "class_names": list(classes),
        "input": {"kind": input_kind(record, list(shape)), "shape": list(shape), "dtype": dtype},
    }, record


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = make_table(tmp_path_factory.mktemp("table") / "table.csv")
    cfg = DataConfig(
        source=str(path), target="label", missing="mean", params={"ignore": ["note"]}, seed=0
    )
    ds = load_dataset(cfg)
    data = prepare(ds, cfg)
    return path, ds, data


def test_raw_rows_encode_as_the_csv_loader_and_training_preprocessing(table):
    path, ds, data = table
    spec, record = _spec(data.preprocessing, ds.x.shape[1:])
    assert spec["input"]["kind"] == "table"
    rows = table_rows(path)  # strings, as in the file; '' is a missing income
    assert any(row["income"] == "" for row in rows)
    got = Preparer(spec, record).from_body({"rows": rows})
    expected = data.preprocessing.apply(ds.x).numpy()  # pandas parse + one-hot + ordinal + fill
    np.testing.assert_array_equal(got, expected)


def test_json_numbers_and_strings_give_the_same_row(table):
    path, ds, data = table
    spec, record = _spec(data.preprocessing, ds.x.shape[1:])
    preparer = Preparer(spec, record)
    as_text = {"age": "30", "income": "51.5", "color": "red", "city": "c03"}
    as_json = {"age": 30, "income": 51.5, "color": "red", "city": "c03", "label": "yes"}
    np.testing.assert_array_equal(
        preparer.from_body({"row": as_text}), preparer.from_body({"rows": [as_json]})
    )


@pytest.mark.parametrize(
    "row, field, words",
    [
        ({"agee": 3}, "rows[0].agee", "unknown column"),
        ({"age": "old", "income": 1, "color": "red", "city": "c01"}, "rows[0].age", "number"),
        ({"age": 3, "income": 1, "color": "pink", "city": "c01"}, "rows[0].color", "'pink'"),
        ({"income": 1, "color": "red", "city": "c01"}, "rows[0].age", "no missing values"),
        ({"age": 3, "income": 1, "color": "red", "city": "c99"}, "rows[0].city", "c99"),
        (
            {"age": float("inf"), "income": 1, "color": "red", "city": "c01"},
            "rows[0].age",
            "number",
        ),
        ("not a row", "rows[0]", "object"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(table, row, field, words):
    _path, ds, data = table
    spec, record = _spec(data.preprocessing, ds.x.shape[1:])
    with pytest.raises(InputError) as caught:
        Preparer(spec, record).from_body({"rows": [row]})
    assert caught.value.field == field and words in caught.value.message
    assert caught.value.status == 422


def test_a_missing_cell_the_model_learnt_a_fill_for_is_filled(table):
    _path, ds, data = table
    spec, record = _spec(data.preprocessing, ds.x.shape[1:])
    row = {"age": 30, "color": "red", "city": "c03"}  # no income: the training split's mean
    got = Preparer(spec, record).from_body({"rows": [row]})
    income = data.preprocessing.feature_names.index("income")
    fill = data.preprocessing.fill[income]
    expected = (fill - data.preprocessing.mean[income]) / data.preprocessing.std[income]
    assert got[0, income] == pytest.approx(float(expected), abs=1e-6)


def test_body_shape_errors(table):
    _path, ds, data = table
    spec, record = _spec(data.preprocessing, ds.x.shape[1:])
    preparer = Preparer(spec, record)
    for body, field in (
        ([1, 2], "body"),
        ({}, "body"),
        ({"rows": [], "texts": []}, "body"),
        ({"rows": []}, "rows"),
        ({"texts": ["a"]}, "texts"),
        ({"inputs": [[1, 2]]}, "inputs"),
    ):
        with pytest.raises(InputError) as caught:
            preparer.from_body(body)
        assert caught.value.field == field
    with pytest.raises(InputError) as caught:
        preparer.from_body({"rows": [{"age": 1}] * 300})
    assert caught.value.status == 413


def test_older_checkpoints_without_the_table_record_read_feature_names(table):
    _path, ds, data = table
    record = data.preprocessing.to_dict()
    record.pop("table")
    columns = table_columns(record, ds.x.shape[1])
    assert [c["name"] for c in columns] == ["age", "income", "color", "city"]
    assert columns[2] == {"name": "color", "kind": "onehot", "values": ["blue", "green", "red"]}
    with pytest.raises(SpecError, match="make 6 features; the model takes 7"):
        table_columns(record, 7)


def test_png_bytes_decode_as_the_image_folder_loader(tmp_path):
    folder = make_images(tmp_path / "images", per_class=3)
    cfg = DataConfig(source=str(folder), seed=0)
    ds = load_dataset(cfg)
    data = prepare(ds, cfg)
    spec, record = _spec(data.preprocessing, ds.x.shape[1:])
    assert spec["input"]["kind"] == "image"
    files = sorted(folder.glob("*/*.png"))  # the loader's order: class folders, then files
    blobs = [f.read_bytes() for f in files]
    preparer = Preparer(spec, record)
    expected = data.preprocessing.apply(ds.x).numpy()
    np.testing.assert_array_equal(preparer.from_images(blobs), expected)
    b64 = [base64.b64encode(b).decode() for b in blobs[:2]]
    np.testing.assert_array_equal(preparer.from_body({"images": b64}), expected[:2])
    # A larger RGB JPEG is converted and resized as the loader does it.
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "JPEG")
    assert preparer.from_images([buffer.getvalue()]).shape == (1, 1, 12, 12)
    with pytest.raises(InputError) as caught:
        preparer.from_body({"images": ["aGVsbG8="]})  # base64 of "hello"
    assert caught.value.field == "images[0]" and "decode" in caught.value.message
    with pytest.raises(InputError, match="base64"):
        preparer.from_body({"image": "%%%"})


def test_texts_tokenise_with_the_saved_tokenizer(tmp_path):
    path = make_texts(tmp_path / "texts.tsv")
    cfg = DataConfig(
        source=str(path),
        target="label",
        params={"layout": "text", "text": "text", "length": 6, "vocab_size": 64},
    )
    data = prepare(load_dataset(cfg), cfg)
    pre = data.preprocessing
    spec, record = _spec(pre, [6], dtype="int64")
    assert spec["input"]["kind"] == "text"
    texts = ["nice great &amp; good", "zebra bad", "good"]
    got = Preparer(spec, record).from_body({"texts": texts})
    np.testing.assert_array_equal(got, pre.encode_texts(texts).numpy())
    with pytest.raises(InputError) as caught:
        Preparer(spec, record).from_body({"texts": ["a", 5]})
    assert caught.value.field == "texts[1]"


def test_raw_arrays_check_their_shape():
    pre = Preprocessing(kind="none", feature_shape=(3,))
    spec = {"output": "values", "input": {"kind": "tensor", "shape": [3], "dtype": "float32"}}
    preparer = Preparer(spec, pre.to_dict())
    assert preparer.from_body({"inputs": [1, 2, 3]}).shape == (1, 3)
    with pytest.raises(InputError, match=r"expected shape \(N, 3\), got \(2, 2\)"):
        preparer.from_body({"inputs": [[1, 2], [3, 4]]})
    with pytest.raises(InputError, match="nested lists of numbers"):
        preparer.from_body({"inputs": [[1, "a"], [3]]})


def test_outputs_become_probabilities_as_torch_computes_them():
    logits = torch.tensor([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]])
    spec = {"class_names": ["a", "b", "c"]}
    expected = torch.softmax(logits, 1).numpy()
    for kind, out in (
        ("softmax", logits),
        ("probabilities", torch.softmax(logits, 1)),
        ("log_probabilities", torch.log_softmax(logits, 1)),
    ):
        got = predictions({**spec, "output": kind}, out.numpy())
        assert [p["label"] for p in got] == ["c", "a"]
        probs = np.array([[p["probabilities"][n] for n in "abc"] for p in got])
        np.testing.assert_allclose(probs, expected, rtol=1e-6)
    one = predictions({"class_names": ["no", "yes"], "output": "sigmoid"}, np.array([[0.0], [2.0]]))
    assert one[1]["probabilities"]["yes"] == pytest.approx(float(torch.sigmoid(torch.tensor(2.0))))
    assert one[0]["probabilities"] == {"no": 0.5, "yes": 0.5}
    assert predictions({"output": "values"}, np.array([[1.5], [2.5]])) == [
        {"value": 1.5},
        {"value": 2.5},
    ]
