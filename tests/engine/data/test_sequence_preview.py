"""The data pane's previews of sequences and texts: the whole series with the cuts prepare makes,
a few series per class at their real lengths, and texts' token counts under the tokenizer a run
trains on the training split (checked against counting the words by hand)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.data.prepare import training_rows
from neurocanvas.engine.data.sequence_preview import class_examples, series_overview, text_overview


def test_a_series_is_shown_whole_with_the_cuts_of_its_parts(write):
    values = [float(v % 7) for v in range(100)]
    path = write("s.csv", "t,v\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)))
    cfg = DataConfig(
        source=str(path), params={"layout": "series", "window": 4}, split=[0.6, 0.2, 0.2]
    )
    ds = load_dataset(cfg)
    shown = series_overview(ds, cfg)
    assert shown["lines"] == {"v": values} and shown["times"][:2] == ["0", "1"]
    assert shown["cuts"] == [60, 80]  # 60% and 80% of the 100 steps
    prepared = prepare(ds, cfg)  # the windows prepare puts in training end before the first cut
    spans = ds.time_spans.numpy()
    assert len(prepared.train.x) == int((spans[:, 1] <= 60).sum())


def test_each_class_shows_its_first_series_at_their_real_lengths(write):
    path = write("u.tsv", "a\t1\t2\t3\nb\t4\t5\na\t6\t7\t8\t9\nb\t1\na\t2\t2\na\t5\t5\t5\n")
    shown = class_examples(load_dataset(DataConfig(source=str(path), params={"layout": "ucr"})), 2)
    assert shown["class_names"] == ["a", "b"]
    assert shown["examples"] == [
        {"class": 0, "values": [1, 2, 3]},
        {"class": 0, "values": [6, 7, 8, 9]},
        {"class": 1, "values": [4, 5]},  # padded to 4 steps in the data set, shown as read
        {"class": 1, "values": [1]},
    ]


def test_token_counts_and_top_tokens_come_from_the_training_texts(write):
    words = ["good", "bad", "fine", "great", "poor", "ok"]
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, size=rng.integers(2, 12))) for _ in range(60)]
    labels = ["pos" if "good" in t else "neg" for t in texts]
    path = write("t.csv", "review,label\n" + "".join(f"{t},{y}\n" for t, y in zip(texts, labels)))
    cfg = DataConfig(source=str(path), target="label", params={"layout": "text", "text": "review"})
    ds = load_dataset(cfg)
    shown = text_overview(ds, cfg)
    assert [row[2] for row in shown["rows"]] == [len(t.split()) for t in texts[:50]]
    train = training_rows(ds, cfg)
    by_hand = Counter(w for i in train for w in texts[i].split())
    assert dict(shown["top_tokens"]) == dict(by_hand.most_common(20))
    counts = [len(texts[i].split()) for i in train]
    assert sum(shown["histogram"]["heights"]) == len(train) == shown["training_texts"]
    assert shown["length"] == int(np.ceil(np.percentile(counts, 95)))
    assert shown["cut"] == sum(c > shown["length"] for c in counts)
    assert shown["vocabulary"] == len(words) + 2  # [PAD] and [UNK]
    assert shown["unknown"] == 0 and shown["tokens"] == sum(counts)


def test_a_series_that_no_window_fits_shows_no_cuts(write):
    path = write("short.csv", "t,v\n" + "".join(f"{i},{i}\n" for i in range(20)))
    cfg = DataConfig(
        source=str(path), params={"layout": "series", "window": 12}, split=[0.5, 0.25, 0.25]
    )
    assert series_overview(load_dataset(cfg), cfg)["cuts"] == []
    with pytest.raises(Exception, match="no window fits"):
        prepare(load_dataset(cfg), cfg)
