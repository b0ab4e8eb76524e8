"""Labelled texts: a tokenizer trained on the training split only (word-level or BPE), lower-case,
HTML entities, the out-of-vocabulary token, padding/truncation, and the tokenizer in the
preprocessing record."""

from __future__ import annotations

import io

import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, load_dataset, prepare
from neurocanvas.engine.data.preprocessing import Preprocessing
from real_datasets import TEXT, need

ROWS = [
    ("good film, good fun", "pos"),
    ("Bad plot &amp; bad acting", "neg"),
    ("GOOD cast", "pos"),
    ("bad bad bad", "neg"),
    ("good", "pos"),
    ("bad ending", "neg"),
]


def _table(write, rows, name="t.tsv"):
    text = "id\ttext\tlabel\n" + "".join(f"{i}\t{t}\t{y}\n" for i, (t, y) in enumerate(rows))
    return str(write(name, text))


def _cfg(path, test=None, split=(1.0, 0.0, 0.0), **params):
    return DataConfig(
        source=path,
        test_source=test,
        target="label",
        split=split,
        params={"layout": "text", "text": "text", **params},
    )


def _vocab(data):
    from tokenizers import Tokenizer

    return Tokenizer.from_str(data.preprocessing.tokenizer).get_vocab()


def test_word_tokens_lowercased_html_decoded_and_padded(write):
    cfg = _cfg(_table(write, ROWS), length=6)
    data = prepare(load_dataset(cfg), cfg)
    vocab = _vocab(data)
    assert vocab["[PAD]"] == 0 and vocab["[UNK]"] == 1
    assert "good" in vocab and "GOOD" not in vocab and "&" in vocab and "amp" not in vocab
    assert data.train.x.dtype == torch.int64 and data.train.x.shape == (6, 6)
    assert data.info.input_dtype == "int64" and data.info.feature_shape == (6,)
    by_text = dict(zip([t for t, _ in ROWS], data.preprocessing.encode_texts([t for t, _ in ROWS])))
    ids = by_text["GOOD cast"].tolist()
    assert ids == [vocab["good"], vocab["cast"], 0, 0, 0, 0]


def test_the_vocabulary_comes_from_the_training_split_only(write):
    test_rows = [("good zebra", "pos"), ("bad unicorn", "neg")]
    cfg = _cfg(_table(write, ROWS), _table(write, test_rows, "test.tsv"), split=(0.5, 0.5, 0.0))
    ds = load_dataset(cfg)
    data = prepare(ds, cfg)
    vocab = _vocab(data)
    assert "zebra" not in vocab and "unicorn" not in vocab
    assert data.test.x[0, 1].item() == 1 and data.test.x[1, 1].item() == 1  # [UNK]
    # the validation rows' own words are unknown too: only training texts built the vocabulary
    train_words = {w for row in data.train.x.tolist() for w in row}
    assert set(data.val.x.flatten().tolist()) - train_words <= {1}


def test_length_defaults_to_the_95th_percentile_and_truncates(write):
    rows = [(" ".join(["w"] * n), "a" if n % 2 else "b") for n in range(1, 21)]
    cfg = _cfg(_table(write, rows))
    data = prepare(load_dataset(cfg), cfg)
    assert data.train.x.shape[1] == 20  # ceil of the 95th percentile of 1..20 (19.05)
    cfg = _cfg(_table(write, rows, "b.tsv"), length=3)
    data = prepare(load_dataset(cfg), cfg)
    assert data.train.x.shape[1] == 3 and (data.train.x != 0).all(dim=1).sum() == 18


def test_bpe_keeps_to_the_vocabulary_size(write):
    rows = [(f"token{i} piece{i % 7} common words here", "ab"[i % 2]) for i in range(60)]
    cfg = _cfg(_table(write, rows), tokenizer="bpe", vocab_size=60)
    data = prepare(load_dataset(cfg), cfg)
    assert len(_vocab(data)) <= 60
    assert int(data.train.x.max()) < 60


def test_the_tokenizer_travels_in_the_preprocessing_record(write):
    cfg = _cfg(_table(write, ROWS))
    data = prepare(load_dataset(cfg), cfg)
    buffer = io.BytesIO()
    torch.save({"preprocessing": data.preprocessing.to_dict()}, buffer)
    buffer.seek(0)
    record = torch.load(buffer, weights_only=True)["preprocessing"]
    again = Preprocessing.from_dict(record)
    texts = [t for t, _ in ROWS]
    torch.testing.assert_close(again.encode_texts(texts), data.preprocessing.encode_texts(texts))
    assert again.encode_texts(["never seen"]).tolist()[0][:2] == [1, 1]


def test_a_folder_per_class_of_txt_files(tmp_path):
    for label, texts in {"neg": ["awful", "bad day"], "pos": ["great", "good day", "fine"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text, encoding="utf-8")
    cfg = DataConfig(source=str(tmp_path), split=(1.0, 0.0, 0.0))
    ds = load_dataset(cfg)
    assert ds.info.class_names == ["neg", "pos"] and ds.y.tolist() == [0, 0, 1, 1, 1]
    data = prepare(ds, cfg)
    assert data.train.x.dtype == torch.int64


def test_an_empty_text_column_is_named_and_empty_rows_dropped(write):
    path = write("e.csv", "text,label\n,a\n,b\n")
    with pytest.raises(DataError) as caught:
        load_dataset(_cfg(str(path)))
    assert (caught.value.line, caught.value.column) == (2, 1) and "is empty" in str(caught.value)
    ds = load_dataset(_cfg(_table(write, ROWS + [("", "pos")])))
    assert len(ds) == 6 and any("dropped 1 row" in line for line in ds.report)


def test_drug_reviews_real_files():
    train, test = need(TEXT / "drug_reviews_train.tsv"), need(TEXT / "drug_reviews_test.tsv")
    cfg = DataConfig(
        source=str(train),
        test_source=str(test),
        target="rating",
        split=(0.85, 0.15, 0.0),
        params={"layout": "text", "text": "review", "vocab_size": 5000},
    )
    ds = load_dataset(cfg)
    assert (len(ds), len(ds.test)) == (600, 379)
    assert ds.info.class_counts == [161, 54, 385]  # negative, neutral, positive (README)
    data = prepare(ds, cfg)
    assert len(data.test) == 379 and data.train.x.shape[1] == data.test.x.shape[1]
    assert "&#039;" not in "".join(_vocab(data))


def test_scoring_all_rows_encodes_with_the_checkpoints_tokenizer(write):
    from neurocanvas.engine.training.data_adapter import load_all_rows

    trained = prepare(load_dataset(_cfg(_table(write, ROWS))), _cfg(_table(write, ROWS)))
    other = _table(write, [("zebra good", "pos"), ("bad", "neg")], "other.tsv")
    project = _cfg(other).to_dict()
    record = trained.preprocessing.to_dict()
    split, _ = load_all_rows(project, class_names=["neg", "pos"], preprocessing=record)
    expected = trained.preprocessing.encode_texts(["zebra good", "bad"])
    torch.testing.assert_close(split.x, expected)  # 'zebra' is [UNK] for the trained model
    assert split.x[0, 0].item() == 1 and split.y.tolist() == [1, 0]
