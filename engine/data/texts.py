"""Labelled texts -> token ids, with a Hugging Face ``tokenizers`` tokenizer trained on the
TRAINING split only.

Sources: a CSV/TSV with a text column and a label column (``params: {layout: text, text: COLUMN}``
and the top-level ``target``), or a folder with one sub-folder of ``.txt`` files per class (as
Keras' ``text_dataset_from_directory``). ``load_*`` keep the raw texts (``Dataset.texts``);
``prepare`` calls ``tokenize_splits`` once the split is known, so no validation or test text
shapes the vocabulary. Settings (settings.TEXT_SETTINGS): ``tokenizer`` word (WordLevel) or bpe,
``vocab_size``, ``lowercase``, ``html`` (entities such as ``&#039;`` decoded first), ``length``
(pad/truncate; default the 95th percentile of the training texts' token counts).

Ids: 0 is ``[PAD]`` (an Embedding with ``padding_idx=0`` ignores it; a text's real length is its
count of non-zero ids), 1 is ``[UNK]``, the out-of-vocabulary token. The tokenizer's JSON (with its
padding and truncation) is the preprocessing record's ``tokenizer``, so it travels with checkpoints.
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..safe_io import check_regular_file, decode_utf8, read_bytes_capped
from .config import DataConfig
from .errors import DataError
from .info import Dataset, encode_target, make_info
from .limits import check_allocation
from .settings import check_layout_params
from .tabular import _target_column, read_table

PAD, UNK = "[PAD]", "[UNK]"
TEXT_PARAMS = {"layout", "delimiter", "header", "encoding", "text"} | {
    "tokenizer",
    "vocab_size",
    "lowercase",
    "html",
    "length",
}
MAX_TEXT_FILE_BYTES = 16 << 20
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}


def _check(params: dict, path: Path, allowed: set[str]) -> dict:
    return check_layout_params({**params, "layout": "text"}, allowed, "text", path)


def load_text_table(path: Path, cfg: DataConfig, class_names: list[str] | None) -> Dataset:
    """Texts and labels from a delimited file (the label column is ``cfg.target``)."""
    p = _check(cfg.params, path, TEXT_PARAMS)
    table = read_table(path, p, "it needs a text column and a label column")
    df, header = table.frame, table.header
    columns = [str(c) for c in df.columns]
    df.columns = columns
    label = _target_column(columns, cfg.target, path)
    text_col = (
        _target_column(columns, p["text"], path)
        if p.get("text") is not None
        else _longest_text_column(df, label, path)
    )
    if text_col == label:
        raise DataError(f"column '{label}' cannot be both the text and the label", path=path)
    report = [f"read {len(df)} rows of {path.name}: text '{text_col}', label '{label}'"]
    texts = df[text_col]
    if texts.isna().all() or not texts.astype(str).str.strip().any():
        raise DataError(
            f"the text column '{text_col}' is empty",
            path=path,
            line=2 if header else 1,
            column=columns.index(text_col) + 1,
            column_name=text_col,
        )
    keep = texts.notna() & df[label].notna() & texts.astype(str).str.strip().astype(bool)
    if not keep.all():
        first = int(np.flatnonzero(~keep.to_numpy())[0])
        report.append(
            f"dropped {int((~keep).sum())} row(s) with no text or no label "
            f"(the first is data row {first + 1})"
        )
    df = df[keep]
    labels = np.array([str(v).strip() for v in df[label]], dtype=object)
    ds = _text_dataset(
        [str(t) for t in df[text_col]], labels, cfg, p, str(path), class_names, report
    )
    ds.preview_columns = columns  # the file's columns (the data pane offers them as the label)
    return ds


def _longest_text_column(df, label: str, path: Path) -> str:
    lengths = {
        c: df[c].dropna().astype(str).str.len().mean()
        for c in df.columns
        if c != label and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))
    }
    if not lengths:
        raise DataError("no text column: every column but the label holds numbers", path=path)
    return max(lengths, key=lambda c: lengths[c])


def is_text_folder(path: Path) -> bool:
    """One sub-folder per class holding .txt files (and no images)."""
    subs = [d for d in sorted(path.iterdir()) if d.is_dir() and not d.name.startswith(".")]
    files = [f for d in subs for f in d.iterdir() if f.is_file()]
    return any(f.suffix.lower() == ".txt" for f in files) and not any(
        f.suffix.lower() in _IMAGE_SUFFIXES for f in files
    )


def load_text_folder(path: Path, cfg: DataConfig, class_names: list[str] | None) -> Dataset:
    """Texts from ``path/<class>/*.txt`` (each file one text; UTF-8, size-capped)."""
    p = _check(cfg.params, path, TEXT_PARAMS - {"delimiter", "header", "encoding", "text"})
    texts, labels = [], []
    for sub in sorted(d for d in path.iterdir() if d.is_dir() and not d.name.startswith(".")):
        for file in sorted(f for f in sub.iterdir() if f.suffix.lower() == ".txt"):
            check_regular_file(file, DataError)
            data = read_bytes_capped(file, MAX_TEXT_FILE_BYTES, DataError, "text file")
            texts.append(decode_utf8(data, str(file), DataError))
            labels.append(sub.name)
    if not texts:
        raise DataError("no .txt files in the class folders", path=path)
    report = [f"read {len(texts)} texts in {len(set(labels))} class folders of {path}"]
    labels_a = np.array(labels, dtype=object)
    return _text_dataset(texts, labels_a, cfg, p, str(path), class_names, report)


def _text_dataset(texts, labels, cfg, params, source, class_names, report) -> Dataset:
    y, task, names = encode_target(labels, task=cfg.task, where=source, class_names=class_names)
    if task == "regression":
        raise DataError("text labels must be classes, not numbers to regress", path=source)
    x = torch.arange(len(texts), dtype=torch.int64).reshape(-1, 1)  # row numbers until prepare
    info = make_info(x, y, task=task, class_names=names, source=source)
    settings = {k: v for k, v in params.items() if k in TEXT_PARAMS - {"layout", "text"}}
    return Dataset(x=x, y=y, info=info, report=report, texts=texts, text_settings=settings)


def clean(text: str, decode_html: bool) -> str:
    return html.unescape(text) if decode_html else text


def train_tokenizer(texts: list[str], settings: dict):
    """A tokenizer trained on ``texts`` (the training split), without padding yet."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    kind, vocab = settings.get("tokenizer", "word"), int(settings.get("vocab_size", 10_000))
    if kind == "bpe":
        tok = Tokenizer(models.BPE(unk_token=UNK))
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=[PAD, UNK])
    else:
        tok = Tokenizer(models.WordLevel(unk_token=UNK))
        trainer = trainers.WordLevelTrainer(vocab_size=vocab, special_tokens=[PAD, UNK])
    steps = [normalizers.NFKC()] + (
        [normalizers.Lowercase()] if settings.get("lowercase", True) else []
    )
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Whitespace()  # words and punctuation apart
    tok.train_from_iterator(texts, trainer)
    return tok


def encode_with(tokenizer_json: str, texts: list[str], decode_html: bool = True) -> torch.Tensor:
    """(N, length) int64 ids of ``texts`` by a trained tokenizer's JSON (padding included)."""
    from tokenizers import Tokenizer

    try:
        tok = Tokenizer.from_str(tokenizer_json)
    except Exception as problem:  # a damaged record: the library's own words
        raise DataError(f"the tokenizer record does not load ({problem})") from None
    decode = decode_html
    ids = [e.ids for e in tok.encode_batch([clean(t, decode) for t in texts])]
    return torch.tensor(ids, dtype=torch.int64)


def tokenize_splits(ds: Dataset, train_rows: np.ndarray, report: list[str]) -> Dataset:
    """``ds`` (and its test split) as token ids, by a tokenizer trained on ``train_rows``."""
    settings = ds.text_settings
    decode = bool(settings.get("html", True))
    texts = [clean(t, decode) for t in ds.texts]
    tok = train_tokenizer([texts[i] for i in train_rows], settings)
    counts = np.array([len(e.ids) for e in tok.encode_batch([texts[i] for i in train_rows])])
    length = settings.get("length") or max(1, int(np.ceil(np.percentile(counts, 95))))
    rows = len(texts) + (len(ds.test.texts or []) if ds.test is not None else 0)
    check_allocation(rows * length * 8, f"{rows} texts of {length} tokens", ds.info.source)
    tok.enable_padding(pad_id=0, pad_token=PAD, length=length)
    tok.enable_truncation(max_length=length)
    out = replace(ds, x=_ids(tok, texts), tokenizer_json=tok.to_str())
    out.info = make_info(
        out.x, ds.y, task=ds.info.task, class_names=ds.info.class_names, source=ds.info.source
    )
    if ds.test is not None and ds.test.texts is not None:
        tx = _ids(tok, [clean(t, decode) for t in ds.test.texts])
        out.test = replace(ds.test, x=tx, info=replace(ds.test.info, feature_shape=(length,)))
    cut = int((counts > length).sum())
    report.append(
        f"tokenised ({settings.get('tokenizer', 'word')}) on the {len(train_rows)} training "
        f"texts: vocabulary {tok.get_vocab_size()} (0 = {PAD}, 1 = {UNK}); token counts median "
        f"{int(np.median(counts))}, 95th percentile {int(np.percentile(counts, 95))}, max "
        f"{int(counts.max())}; padded/truncated to {length} ({cut} training text(s) cut)"
    )
    return out


def _ids(tok, texts: list[str]) -> torch.Tensor:
    return torch.tensor([e.ids for e in tok.encode_batch(texts)], dtype=torch.int64)
