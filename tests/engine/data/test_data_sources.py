"""NumPy, image folders, IDX, CIFAR-10 (binary and pickle) and the built-in data set lookup."""

from __future__ import annotations

import gzip
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, MissingDataError, load_dataset
from neurocanvas.engine.data.cifar import read_cifar_pickle
from neurocanvas.engine.data.idx import read_idx


def idx_bytes(arr: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(np.uint8).tobytes()


# --- NumPy -------------------------------------------------------------------------------------


def test_npz_xy(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", x=rng.normal(size=(40, 3)), y=np.arange(40) % 4)
    ds = load_dataset(str(tmp_path / "d.npz"))
    assert ds.x.shape == (40, 3) and ds.x.dtype == torch.float32
    assert ds.info.task == "multiclass" and ds.info.class_counts == [10, 10, 10, 10]


def test_npz_train_test_and_uint8_images(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, size=(30, 8, 8), dtype=np.uint8)
    np.savez(
        tmp_path / "m.npz",
        x_train=x[:20],
        y_train=np.arange(20) % 3,
        x_test=x[20:],
        y_test=np.arange(10) % 3,
    )
    ds = load_dataset(str(tmp_path / "m.npz"))
    assert ds.info.is_image and ds.x.shape == (20, 1, 8, 8) and float(ds.x.max()) <= 1.0
    assert ds.test is not None and ds.test.x.shape == (10, 1, 8, 8)


def test_npz_first_two_arrays_regression(tmp_path):
    np.savez(tmp_path / "r.npz", feats=np.ones((5, 2)), targets=np.linspace(0, 1, 5))
    ds = load_dataset(str(tmp_path / "r.npz"))
    assert ds.info.task == "regression" and ds.x.shape == (5, 2)


def test_npy_pair(tmp_path):
    np.save(tmp_path / "train_x.npy", np.zeros((6, 2)))
    np.save(tmp_path / "train_y.npy", np.array([0, 1, 0, 1, 0, 1]))
    ds = load_dataset(str(tmp_path / "train_x.npy"))
    assert ds.x.shape == (6, 2) and ds.info.task == "binary"


def test_npz_refuses_object_arrays_and_mismatch(tmp_path):
    np.savez(tmp_path / "o.npz", x=np.array([{"a": 1}, None], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DataError, match="object arrays"):
        load_dataset(str(tmp_path / "o.npz"))
    np.savez(tmp_path / "n.npz", x=np.zeros((3, 2)), y=np.zeros(4))
    with pytest.raises(DataError, match="3 feature rows but 4 targets"):
        load_dataset(str(tmp_path / "n.npz"))


# --- image folders -----------------------------------------------------------------------------


def make_image_folder(
    root: Path, classes=("cat", "dog"), per_class=4, size=(10, 12), mode="RGB"
) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    for c in classes:
        (root / c).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            shape = (size[0], size[1], 3) if mode == "RGB" else size
            Image.fromarray(rng.integers(0, 256, size=shape, dtype=np.uint8), mode).save(
                root / c / f"{i}.png"
            )
    return root


def test_image_folder_rgb_resized(tmp_path):
    root = make_image_folder(tmp_path / "imgs")
    ds = load_dataset({"source": str(root), "params": {"size": 16}})
    assert ds.x.shape == (8, 3, 16, 16) and ds.info.is_image
    assert ds.info.class_names == ["cat", "dog"] and ds.info.class_counts == [4, 4]


def test_image_folder_grayscale_default_size(tmp_path):
    root = make_image_folder(tmp_path / "g", classes=("a", "b", "c"), mode="L")
    ds = load_dataset(str(root))
    assert ds.x.shape == (12, 1, 10, 12) and ds.info.task == "multiclass"


def test_image_folder_unreadable_skipped_and_counted(tmp_path):
    root = make_image_folder(tmp_path / "s")
    (root / "cat" / "broken.png").write_bytes(b"not a png")
    ds = load_dataset(str(root))
    assert len(ds) == 8
    assert any("skipped 1 unreadable image(s): cat/broken.png" in r for r in ds.report)


def test_image_folder_all_unreadable_refused(tmp_path):
    for c in ("a", "b"):
        (tmp_path / "bad" / c).mkdir(parents=True)
        (tmp_path / "bad" / c / "x.jpg").write_bytes(b"junk")
    with pytest.raises(DataError, match="none of the 2 image files could be read"):
        load_dataset(str(tmp_path / "bad"))


def test_image_folder_one_class_refused(tmp_path):
    root = make_image_folder(tmp_path / "one", classes=("only",))
    with pytest.raises(DataError, match="at least 2 classes; found only 'only'"):
        load_dataset(str(root))


def test_image_folder_own_train_test(tmp_path):
    make_image_folder(tmp_path / "tt" / "train")
    make_image_folder(tmp_path / "tt" / "test", per_class=2, size=(20, 20))
    ds = load_dataset(str(tmp_path / "tt"))
    assert len(ds) == 8 and ds.test is not None and ds.test.x.shape == (4, 3, 10, 12)


# --- IDX ---------------------------------------------------------------------------------------


def write_idx_set(folder: Path, n=20, prefix="train", gz=True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    imgs = idx_bytes(rng.integers(0, 256, size=(n, 28, 28)))
    labels = idx_bytes(np.arange(n) % 10)
    opener = gzip.compress if gz else (lambda b: b)
    ext = ".gz" if gz else ""
    (folder / f"{prefix}-images-idx3-ubyte{ext}").write_bytes(opener(imgs))
    (folder / f"{prefix}-labels-idx1-ubyte{ext}").write_bytes(opener(labels))


def test_idx_train_and_test_raw(tmp_path):
    write_idx_set(tmp_path, n=30, gz=False)
    write_idx_set(tmp_path, n=10, prefix="t10k")
    ds = load_dataset(str(tmp_path))
    assert ds.x.shape == (30, 1, 28, 28) and ds.test is not None and len(ds.test) == 10


def test_idx_wrong_magic(tmp_path):
    p = tmp_path / "t10k-images-idx3-ubyte"
    p.write_bytes(b"\x12\x34\x56\x78" + bytes(100))
    with pytest.raises(DataError, match="wrong magic number 0x12345678") as e:
        read_idx(p)
    assert str(p) in str(e.value)


def test_idx_truncated(tmp_path):
    write_idx_set(tmp_path, n=10, gz=False)
    p = tmp_path / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-100])
    with pytest.raises(DataError, match="truncated"):
        load_dataset(str(tmp_path))


def test_idx_truncated_gzip(tmp_path):
    write_idx_set(tmp_path, n=10)
    p = tmp_path / "train-labels-idx1-ubyte.gz"
    p.write_bytes(p.read_bytes()[:-12])
    with pytest.raises(DataError, match="truncated|damaged"):
        load_dataset(str(tmp_path))


# --- CIFAR-10 ----------------------------------------------------------------------------------


def cifar_arrays(n: int, seed: int = 0) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), [
        int(v) for v in rng.integers(0, 10, n)
    ]


def test_cifar_binary(tmp_path):
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    data, labels = cifar_arrays(7)
    for name in ("data_batch_1.bin", "data_batch_2.bin", "test_batch.bin"):
        recs = np.concatenate([np.array(labels, dtype=np.uint8)[:, None], data], axis=1)
        (d / name).write_bytes(recs.tobytes())
    (d / "batches.meta.txt").write_text("\n".join(f"class{i}" for i in range(10)) + "\n\n")
    ds = load_dataset(str(tmp_path))
    assert ds.x.shape == (14, 3, 32, 32) and ds.test is not None and len(ds.test) == 7
    assert ds.info.class_names[3] == "class3"
    # Pixel layout: the first 1024 bytes of a record are the red plane, row-major.
    assert ds.x[0, 0, 0, 1].item() == pytest.approx(data[0, 1] / 255)
    assert ds.x[0, 1, 0, 0].item() == pytest.approx(data[0, 1024] / 255)
    assert ds.y[:7].tolist() == labels


def test_cifar_binary_truncated(tmp_path):
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    (d / "data_batch_1.bin").write_bytes(bytes(3073 * 2 - 5))
    with pytest.raises(DataError, match="not a whole number of 3073-byte records"):
        load_dataset(str(tmp_path))


@pytest.mark.parametrize("protocol", [2, 5])
def test_cifar_pickle(tmp_path, protocol):
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()
    data, labels = cifar_arrays(5)
    batch = {b"batch_label": b"training batch 1 of 5", b"labels": labels, b"data": data,
             b"filenames": [b"a.png"] * 5}  # fmt: skip
    (d / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=protocol))
    (d / "test_batch").write_bytes(pickle.dumps(batch, protocol=protocol))
    meta = {b"label_names": [f"n{i}".encode() for i in range(10)], b"num_vis": 3072}
    (d / "batches.meta").write_bytes(pickle.dumps(meta, protocol=protocol))
    ds = load_dataset(DataConfig(source="cifar10", params={"root": str(tmp_path)}))
    assert ds.x.shape == (5, 3, 32, 32) and ds.info.class_names[0] == "n0"
    assert ds.y.tolist() == labels and len(ds.test) == 5


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_cifar_pickle_refuses_other_objects(tmp_path):
    p = tmp_path / "data_batch_1"
    p.write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}))
    with pytest.raises(DataError, match=r"refusing to unpickle '(posix|nt|os)\.system'") as e:
        read_cifar_pickle(p)
    assert str(p) in str(e.value)
    p.write_bytes(
        pickle.dumps({b"data": np.zeros((2, 3072), dtype=np.uint8), b"labels": Path("x")})
    )
    with pytest.raises(DataError, match="refusing"):
        read_cifar_pickle(p)
    p.write_bytes(pickle.dumps(["just", "a", "list"]))
    with pytest.raises(DataError, match="is a dict"):
        read_cifar_pickle(p)


# --- built-in data sets --------------------------------------------------------------------------


def test_builtin_missing_says_which_files_and_where(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_DATA", str(tmp_path / "env"))
    monkeypatch.setattr("neurocanvas.engine.data.builtin.cache_dir", lambda: tmp_path / "cache")
    with pytest.raises(DataError) as e:
        load_dataset("fashion-mnist")
    msg = str(e.value)
    assert "train-images-idx3-ubyte.gz" in msg and "t10k-labels-idx1-ubyte.gz" in msg
    assert (
        str(tmp_path / "env") in msg
        and str(tmp_path / "cache") in msg
        and "--download" in msg
        and "Browse" in msg
    )


def test_builtin_found_via_env_var_in_torchvision_layout(tmp_path, monkeypatch):
    write_idx_set(tmp_path / "FashionMNIST" / "raw", n=12)
    monkeypatch.setenv("NEUROCANVAS_DATA", str(tmp_path))
    ds = load_dataset("fashion-mnist")
    assert len(ds) == 12 and ds.info.class_names[9] == "Ankle boot"


@pytest.fixture
def fake_mnist_download(tmp_path, monkeypatch):
    """torchvision's MNIST download replaced by one that writes a tiny IDX set; the calls made."""
    calls = []

    def fake_mnist(root, train, download):
        calls.append((root, train, download))
        raw = Path(root) / "MNIST" / "raw"
        write_idx_set(raw, n=40 if train else 10, prefix="train" if train else "t10k")

    monkeypatch.setattr("torchvision.datasets.MNIST", fake_mnist)
    monkeypatch.setattr("neurocanvas.engine.data.builtin.cache_dir", lambda: tmp_path / "cache")
    monkeypatch.delenv("NEUROCANVAS_DATA", raising=False)
    return calls


def test_download_is_wired_to_torchvision_without_network(tmp_path, fake_mnist_download):
    ds = load_dataset({"source": "mnist"}, allow_download=True)
    cache = str(tmp_path / "cache")
    assert fake_mnist_download == [(cache, True, True), (cache, False, True)]
    assert len(ds) == 40 and len(ds.test) == 10


def test_a_project_file_alone_never_starts_a_download(tmp_path, fake_mnist_download):
    wished = {"source": "mnist", "params": {"download": True, "root": str(tmp_path / "theirs")}}
    with pytest.raises(MissingDataError, match="only you can allow") as error:
        load_dataset(wished)
    assert error.value.name == "mnist"
    assert fake_mnist_download == []
    assert not (tmp_path / "theirs").exists()


def test_a_consented_download_goes_to_the_cache_not_the_files_folder(tmp_path, fake_mnist_download):
    wished = {"source": "mnist", "params": {"download": True, "root": str(tmp_path / "theirs")}}
    load_dataset(wished, allow_download=True)
    assert {root for root, _, _ in fake_mnist_download} == {str(tmp_path / "cache")}
    assert not (tmp_path / "theirs").exists()


def test_stream_image_folder_matches_in_memory(tmp_path):
    from neurocanvas.engine.data.streaming import stream_image_folder

    root = make_image_folder(tmp_path / "st")
    loader = stream_image_folder(
        root, params={"size": 8}, batch_size=3, shuffle=False, num_workers=0
    )
    xs, ys = zip(*loader)
    x, y = torch.cat(xs), torch.cat(ys)
    ds = load_dataset({"source": str(root), "params": {"size": 8}})
    assert torch.allclose(x, ds.x) and torch.equal(y, ds.y)
    assert loader.dataset.estimated_bytes() == 8 * 3 * 8 * 8 * 4


def test_train_downloads_only_with_the_flag(tmp_path, fake_mnist_download, capsys):
    from neurocanvas.engine.cli import main

    assert main(["train", "seed-cnn", "--epochs", "1", "--out", str(tmp_path / "a")]) == 2
    assert "--download" in capsys.readouterr().err and fake_mnist_download == []
    argv = ["train", "seed-cnn", "--epochs", "1", "--download", "--out", str(tmp_path / "b")]
    assert main([*argv, "--json"]) == 0
    assert len(fake_mnist_download) == 2 and (tmp_path / "b" / "last.pt").is_file()
