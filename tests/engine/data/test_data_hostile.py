"""Small hostile data files are refused before memory is allocated or a wrong model is built:
gzip bombs, headers that claim 149 GiB, labels that are not class numbers, FIFOs."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from neurocanvas.engine.data import DataError, load_dataset
from neurocanvas.engine.data.cifar import read_cifar_pickle
from neurocanvas.engine.data.idx import read_idx


def _idx_header(shape, code=0x08) -> bytes:
    return struct.pack(">BBBB", 0, 0, code, len(shape)) + struct.pack(f">{len(shape)}I", *shape)


def _write_idx_pair(folder, images: np.ndarray, labels: np.ndarray, label_code=0x08):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train-images-idx3-ubyte").write_bytes(_idx_header(images.shape) + images.tobytes())
    (folder / "train-labels-idx1-ubyte").write_bytes(
        _idx_header(labels.shape, label_code) + labels.tobytes()
    )
    return folder


def test_a_gzip_bomb_is_not_unpacked(tmp_path):
    path = tmp_path / "bomb-idx1-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(_idx_header((10,)) + bytes(10))
        zeros = bytes(1 << 20)
        for _ in range(100):  # 100 MiB of zeros after the 10 declared values
            out.write(zeros)
    tracemalloc.start()
    labels = read_idx(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert labels.shape == (10,) and peak < 20 << 20


def test_a_header_claiming_more_than_memory_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_MAX_DATA_BYTES", str(1 << 30))
    path = tmp_path / "huge-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(_idx_header((400_000, 1000, 1000)) + bytes(100)))
    with pytest.raises(DataError, match="memory"):
        read_idx(path)


def test_zero_images_are_refused(tmp_path):
    folder = _write_idx_pair(tmp_path / "d", np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8))
    with pytest.raises(DataError, match="no images"):
        load_dataset(str(folder))


def test_labels_all_255_are_not_a_256_class_set(tmp_path):
    folder = _write_idx_pair(
        tmp_path / "d", np.zeros((20, 8, 8), np.uint8), np.full(20, 255, np.uint8)
    )
    with pytest.raises(DataError, match="0..K-1"):
        load_dataset(str(folder))


def test_negative_int8_labels_are_refused(tmp_path):
    labels = np.array([0, 1, -3, 1] * 5, np.int8)
    folder = _write_idx_pair(tmp_path / "d", np.zeros((20, 8, 8), np.uint8), labels, 0x09)
    with pytest.raises(DataError, match="negative"):
        load_dataset(str(folder))


def test_cifar_float_labels_are_not_truncated(tmp_path):
    path = tmp_path / "data_batch_1"
    batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0.7, 1.0]}
    path.write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(DataError, match="0.7"):
        read_cifar_pickle(path)


class _HugeArray:
    def __reduce__(self):
        return (np.ndarray, ((40_000_000_000,), np.dtype(np.uint32)))


def test_a_cifar_pickle_asking_for_149_gib_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_MAX_DATA_BYTES", str(1 << 30))
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _HugeArray(), b"labels": [0]}, protocol=2))
    with pytest.raises(DataError, match="memory"):
        read_cifar_pickle(path)


def _npy_with_header(shape, payload: bytes = b"") -> bytes:
    out = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(out, header)
    return out.getvalue() + payload


def test_an_npz_header_claiming_149_gib_is_refused(tmp_path):
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", _npy_with_header((20_000_000_000,), bytes(64)))
        archive.writestr("y.npy", _npy_with_header((8,), bytes(64)))
    with pytest.raises(DataError, match="claims shape"):
        load_dataset(str(path))


def test_an_npy_header_claiming_more_than_the_file_is_refused(tmp_path):
    (tmp_path / "x.npy").write_bytes(_npy_with_header((20_000_000_000,), bytes(64)))
    np.save(tmp_path / "y.npy", np.zeros(8))
    with pytest.raises(DataError, match="truncated"):
        load_dataset(str(tmp_path / "x.npy"))


def test_a_fifo_as_data_is_refused(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="named pipe"):
        load_dataset(str(fifo))


def test_an_empty_named_target_column_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n1,2,\n3,4,\n5,6,\n")
    with pytest.raises(DataError, match="target column 'label' is empty"):
        load_dataset({"source": str(path), "target": "label"})
    with pytest.raises(DataError, match="'label', the target by default, is empty"):
        load_dataset(str(path))


def test_a_trailing_delimiter_is_still_padding(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,label,\n1,2,0,\n3,4,1,\n5,6,0,\n7,8,1,\n")
    ds = load_dataset(str(path))
    assert ds.info.feature_names == ["a", "b"]


def test_a_utf16_csv_is_read(tmp_path):
    path = tmp_path / "t.csv"
    rows = "a,b,label\n" + "".join(f"{i},{i * 2},{i % 2}\n" for i in range(20))
    path.write_bytes(rows.encode("utf-16"))
    ds = load_dataset(str(path))
    assert len(ds) == 20 and ds.info.feature_names == ["a", "b"]


def test_a_10_mb_single_line_is_refused_quickly(tmp_path):
    path = tmp_path / "line.csv"
    path.write_bytes(b"1," * (5 << 20))
    with pytest.raises(DataError, match="no line break"):
        load_dataset(str(path))


@pytest.mark.parametrize(
    "cell, where", [("inf,3,1", "line 3, column 1 ('a')"), ("2,-inf,0", "line 3, column 2 ('b')")]
)
def test_infinite_features_are_refused_with_their_cell(tmp_path, cell, where):
    path = tmp_path / "t.csv"
    path.write_text(
        "a,b,label\n1,2,0\n" + cell + "\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(9))
    )
    with pytest.raises(DataError) as error:
        load_dataset(str(path))
    assert where in str(error.value) and "finite" in str(error.value)


def test_an_infinite_regression_target_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "a,b,y\n1,2,0.5\n2,3,0.25\n1,3,inf\n" + "".join(f"{i},{i},{i / 7}\n" for i in range(9))
    )
    with pytest.raises(DataError, match="line 4, column 3"):
        load_dataset(str(path))


@pytest.mark.parametrize("rows", [50, 20000])  # inside the first 64 KiB, and far past it
def test_bad_utf8_is_named_by_line_and_column(tmp_path, rows):
    path = tmp_path / "t.csv"
    body = "".join(f"{i},{i * 2},{i % 2}\n" for i in range(rows))
    path.write_bytes(("a,b,label\n" + body).encode() + b"7,8\xff,1\n")
    with pytest.raises(DataError) as error:
        load_dataset({"source": str(path), "params": {"encoding": "utf-8"}})
    assert f"line {rows + 2}, column 4" in str(error.value)
