"""What the data pane shows for sequences and texts before training (plain values, no Qt):

- a series to forecast: the whole series per target column, with the steps where the training,
  validation and test parts begin (the cuts ``prepare`` makes, in time order);
- series to classify: a few series of each class, their real steps only (no padding);
- texts: each text's token count under the tokenizer a run would train (on the training split
  only, with the data section's settings), the most frequent tokens, and the distribution of
  token counts with the length texts are padded or truncated to.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .config import DataConfig
from .errors import DataError
from .info import Dataset

HISTOGRAM_BINS = 30


def series_overview(ds: Dataset, cfg: DataConfig) -> dict:
    """{"times", "lines": {target: values (None where missing)}, "cuts": [val, test] steps}."""
    from .forecast import series_of, time_split

    series = series_of(cfg)
    lines = {
        name: [None if np.isnan(v) else float(v) for v in series.frame[name].to_numpy(float)]
        for name in series.targets
    }
    try:
        cuts = list(time_split(ds, cfg.split)[3:5])
    except DataError:  # no window fits the training part: load_dataset's report says why
        cuts = []
    return {"times": list(series.times), "lines": lines, "cuts": cuts}


def class_examples(ds: Dataset, per_class: int = 3) -> dict:
    """{"class_names", "channel", "examples": [{"class": index, "values": [...]}, ...]}: the
    first ``per_class`` series of each class, the first channel, cut to its real length."""
    names = list(ds.info.class_names)
    masked = list(ds.info.feature_names[-1:]) == ["mask"]
    labels = ds.y.numpy()
    examples = []
    for index in range(len(names)):
        for row in np.flatnonzero(labels == index)[:per_class]:
            values = ds.x[row, 0].numpy()
            if masked:
                values = values[ds.x[row, -1].numpy() > 0]
            examples.append({"class": index, "values": values.astype(float).tolist()})
    channel = ds.info.feature_names[0] if ds.info.feature_names else "channel1"
    return {"class_names": names, "channel": channel, "examples": examples}


def text_overview(ds: Dataset, cfg: DataConfig, rows: int = 50, top: int = 20) -> dict:
    """Token counts by the tokenizer a run trains (see the module docstring)."""
    from tokenizers import Tokenizer

    from .prepare import training_rows
    from .texts import UNK, clean, tokenize_splits

    train = training_rows(ds, cfg)
    prepared = tokenize_splits(ds, train, [])

    tok = Tokenizer.from_str(prepared.tokenizer_json)
    length = int(tok.padding["length"])
    tok.no_padding()
    tok.no_truncation()
    decode = bool(ds.text_settings.get("html", True))
    encoded = tok.encode_batch([clean(ds.texts[i], decode) for i in train])
    counts = np.array([len(e.ids) for e in encoded])
    frequent = Counter(token for e in encoded for token in e.tokens)
    unknown = frequent.pop(UNK, 0)  # said apart: it is no word of the vocabulary
    heights, edges = np.histogram(counts, bins=min(HISTOGRAM_BINS, max(1, int(counts.max()))))
    shown = tok.encode_batch([clean(t, decode) for t in ds.texts[:rows]])
    return {
        "columns": ["text", "label", "tokens"],
        "rows": [
            [text, ds.info.class_names[int(y)], len(e.ids)]
            for text, y, e in zip(ds.texts[:rows], ds.y[:rows].tolist(), shown)
        ],
        "top_tokens": frequent.most_common(top),
        "histogram": {"heights": heights.tolist(), "edges": edges.tolist()},
        "length": length,
        "vocabulary": tok.get_vocab_size(),
        "cut": int((counts > length).sum()),
        "unknown": unknown,
        "tokens": int(counts.sum()),
        "training_texts": len(train),
    }
