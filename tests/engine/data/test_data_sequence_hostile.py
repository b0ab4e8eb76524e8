"""Hostile sequence, series and text files: each a DataError naming the file, never a hang, a
traceback or an allocation past the memory budget."""

from __future__ import annotations

import os

import pytest
from neurocanvas.engine.data import DataConfig, DataError, load_dataset


def test_a_fifo_named_ts_is_refused(tmp_path):
    fifo = tmp_path / "pipe.ts"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="named pipe"):
        load_dataset(DataConfig(source=str(fifo)))


def test_binary_bytes_in_a_ts_file_are_named_by_line_and_column(write):
    path = write("bin.ts", b"@classLabel true a\n@data\n1,2\xff:a\n")
    with pytest.raises(DataError, match="line 3, column 4"):
        load_dataset(DataConfig(source=str(path)))


def test_padding_past_the_memory_budget_is_refused_before_allocating(write, monkeypatch):
    # 200 one-step series and one of 2,000 steps: a 5 kB file that pads to 3.2 MB
    body = "1:a\n" * 200 + ",".join(["1"] * 2000) + ":b\n"
    path = write("long.ts", "@classLabel true a b\n@data\n" + body)
    monkeypatch.setenv("NEUROCANVAS_MAX_DATA_BYTES", str(100_000))
    with pytest.raises(DataError, match="201 series of length 2000 would need"):
        load_dataset(DataConfig(source=str(path)))


def test_a_series_too_many_windows_is_refused(write, monkeypatch):
    path = write("s.csv", "t,v\n" + "".join(f"{i},{i}\n" for i in range(3000)))
    monkeypatch.setenv("NEUROCANVAS_MAX_DATA_BYTES", str(1_000_000))
    with pytest.raises(DataError, match="more than the"):
        load_dataset(DataConfig(source=str(path), params={"layout": "series", "window": 500}))


@pytest.mark.parametrize(
    "params, field",
    [
        ({"layout": "grid"}, "layout"),
        ({"layout": "series", "horizon_mode": "all"}, "horizon_mode"),
        ({"layout": "text", "tokenizer": "sentencepiece"}, "tokenizer"),
        ({"layout": "text", "vocab_size": 3}, "vocab_size"),
        ({"layout": "series", "fill": "zero"}, "fill"),
    ],
)
def test_bad_layout_params_name_the_field(params, field):
    with pytest.raises(DataError, match=field):
        DataConfig(source="data.csv", params=params)


def test_a_test_file_that_is_missing_is_named(write):
    path = write("a.ts", "@classLabel true a b\n@data\n1,2:a\n3,4:b\n")
    with pytest.raises(DataError, match="missing.ts"):
        load_dataset(DataConfig(source=str(path), test_source=str(path.parent / "missing.ts")))
