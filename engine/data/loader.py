"""``load_dataset``: one entry point that turns a ``DataConfig`` into a ``Dataset``, whatever the
source (synthetic name, built-in name, CSV/TSV, .npz/.npy, image folder, IDX folder, CIFAR folder).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..safe_io import check_regular_file
from . import builtin
from .arrays import as_image_array, load_npy_pair, load_npz
from .cifar import find_cifar_dir, load_cifar_dir
from .config import BUILTIN_NAMES, PACKAGED_NAMES, SYNTHETIC_NAMES, DataConfig, packaged_path
from .errors import DataError
from .idx import find_idx_pair, load_idx_pair
from .images import is_image_folder, list_image_folder, load_image_files
from .info import Dataset, align_classes, encode_target, make_info
from .labels import class_count
from .sequences import load_sequences
from .settings import check_params
from .synthetic import make_synthetic
from .tabular import load_csv
from .test_file import attach_test_file
from .texts import is_text_folder, load_text_folder

CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".data", ".dat"}
MNIST_CLASSES = [str(i) for i in range(10)]


def load_dataset(
    cfg: DataConfig | dict[str, Any] | str,
    *,
    class_names: list[str] | None = None,
    allow_download: bool = False,
) -> Dataset:
    """Load the data ``cfg`` points at. Raises ``DataError`` (never half-loads) on bad input.

    ``allow_download`` is the user's own consent (the CLI's ``--download``, a yes in the window)
    to fetch a missing MNIST/CIFAR set into the user cache. A project file cannot give it: its
    ``download`` param is only a wish, reported in the message.

    ``class_names`` (a trained model's classes, e.g. a checkpoint's) numbers the labels by those
    names, so a file holding only some of the classes, in any order, gets the model's class
    indices; a label the model does not know is refused. Ignored for regression data.
    """
    if isinstance(cfg, str):
        cfg = DataConfig.from_spec(cfg)
    elif isinstance(cfg, dict):
        cfg = DataConfig.from_dict(cfg)
    known = list(class_names) if class_names else None

    def load(one: DataConfig, names: list[str] | None) -> Dataset:
        return _load_one(one, names, allow_download)

    ds = load(cfg, known)
    if cfg.test_source:
        ds = attach_test_file(ds, cfg, load)
    elif cfg.source in PACKAGED_NAMES and cfg.use_own_test:
        own_test = packaged_path(cfg.source, test=True)  # GunPoint's _TEST file
        if own_test is not None:
            ds = attach_test_file(ds, replace(cfg, test_source=str(own_test)), load)
    return ds


def _load_one(cfg: DataConfig, known: list[str] | None, allow_download: bool) -> Dataset:
    """One source (``load_dataset`` without the test file)."""
    src = cfg.source
    if src in SYNTHETIC_NAMES:
        ds = make_synthetic(src, cfg.params, cfg.seed)
        if cfg.task is not None and cfg.task != ds.info.task:
            raise DataError(
                f"'{src}' is a {ds.info.task} data set; it cannot be used as {cfg.task}"
            )
        return _aligned(ds, known)
    if src in BUILTIN_NAMES:
        return _aligned(_load_builtin(src, cfg, allow_download), known)
    if src in PACKAGED_NAMES:  # a small file shipped with NeuroCanvas (iris, airline...)
        path = packaged_path(src)
        if not path.is_file():
            raise DataError(f"the packaged data set '{src}' is missing from this installation")
    else:
        path = Path(src).expanduser()
    if path.is_dir():
        return _aligned(_load_folder(path, cfg, known), known)
    if not path.exists():
        raise DataError("no such file or folder", path=path)
    check_regular_file(path, DataError)  # a FIFO or a device would block or never end
    suffix = path.suffix.lower()
    if suffix == ".ts":
        if cfg.params:
            raise DataError(f"a .ts file takes no params, not {', '.join(cfg.params)}", path=path)
        return load_sequences(path, layout="ts", task=cfg.task, class_names=known)
    layout = cfg.params.get("layout", "table") if suffix in CSV_SUFFIXES else "table"
    if layout != "table":
        return _load_layout(path, layout, cfg, known)
    if suffix in CSV_SUFFIXES:
        return load_csv(
            path,
            target=cfg.target,
            task=cfg.task,
            missing=cfg.missing,
            params=cfg.params,
            class_names=known,
        )
    if suffix == ".npz":
        train, test, report = load_npz(path)
        return _aligned(_array_dataset(train, test, str(path), cfg, report, known), known)
    if suffix == ".npy":
        y_path = Path(cfg.params["y"]) if "y" in cfg.params else None
        train, report = load_npy_pair(path, y_path)
        return _aligned(_array_dataset(train, None, str(path), cfg, report, known), known)
    raise DataError(
        f"unsupported file type '{suffix}': use a CSV/TSV, .npz, .npy, an image folder, an IDX "
        "folder or a CIFAR-10 folder",
        path=path,
    )


def _load_layout(path: Path, layout: str, cfg: DataConfig, known: list[str] | None) -> Dataset:
    """A delimited file read as UCR series, a time series to forecast, or labelled texts."""
    if layout == "ucr":
        extra = set(cfg.params) - {"layout"}
        if extra:
            raise DataError(f"layout ucr takes no other params, not {', '.join(extra)}", path=path)
        return load_sequences(path, layout="ucr", task=cfg.task, class_names=known)
    if layout == "series":
        from .forecast import load_series

        return load_series(path, cfg)
    if layout in ("wide", "long"):
        from .sequence_tables import load_sequence_table

        return load_sequence_table(path, cfg, known)
    from .texts import load_text_table

    return load_text_table(path, cfg, known)


def _aligned(ds: Dataset, class_names: list[str] | None) -> Dataset:
    """``ds`` with its class indices renumbered by ``class_names`` (see ``load_dataset``)."""
    if not class_names or ds.info.task == "regression" or ds.info.class_names == class_names:
        return ds
    parts = [ds] + ([ds.test] if ds.test is not None else [])
    for part in parts:
        part.y = align_classes(part.y, ds.info.class_names, class_names, ds.info.source)
    task = ds.info.task if len(class_names) == len(ds.info.class_names) else None
    task = task or ("binary" if len(class_names) == 2 else "multiclass")
    for part in parts:
        part.info = make_info(
            part.x,
            part.y,
            task=task,
            class_names=class_names,
            source=part.info.source,
            is_image=part.info.is_image,
            feature_names=part.info.feature_names,
            is_sequence=part.info.is_sequence,
        )
    return ds


def _load_builtin(name: str, cfg: DataConfig, allow_download: bool) -> Dataset:
    unknown = set(cfg.params) - {"root", "download"}
    if unknown:
        raise DataError(f"'{name}' takes only root and download, not {', '.join(sorted(unknown))}")
    params = check_params("builtin", cfg.params)
    root = params.get("root")
    folder = builtin.locate(name, root)
    if folder is None:
        if not allow_download:
            raise builtin.MissingDataError(name, root, wished=bool(params.get("download")))
        folder = builtin.download(name)  # into the user cache, never a folder a file chose
    if name == "cifar10":
        return _load_cifar(folder, name, cfg)
    names = builtin.FASHION_CLASSES if name == "fashion-mnist" else MNIST_CLASSES
    return _load_idx_folder(folder, name, names, cfg)


def _load_folder(path: Path, cfg: DataConfig, known: list[str] | None) -> Dataset:
    if find_idx_pair(path, "train") or find_idx_pair(path, "t10k"):
        return _load_idx_folder(path, str(path), None, cfg)
    cifar = find_cifar_dir(path)
    if cifar is not None:
        return _load_cifar(cifar, str(path), cfg)
    for xs in ("x.npy", "X.npy"):
        if (path / xs).is_file():
            train, report = load_npy_pair(path / xs, None)
            return _array_dataset(train, None, str(path), cfg, report)
    if cfg.params.get("layout") == "text" or (not cfg.params and is_text_folder(path)):
        return load_text_folder(path, cfg, known)
    if is_image_folder(path):
        return _load_image_folder(path, cfg)
    raise DataError(
        "the folder holds no data set this app reads: expected IDX files (train-images-idx3-ubyte...), "
        "CIFAR-10 batches, x.npy/y.npy, or one sub-folder of images per class",
        path=path,
    )


def _load_idx_folder(
    folder: Path, source: str, names: list[str] | None, cfg: DataConfig
) -> Dataset:
    report: list[str] = []
    train_files = find_idx_pair(folder, "train")
    test_files = find_idx_pair(folder, "t10k")
    train = load_idx_pair(*train_files) if train_files else None
    test = load_idx_pair(*test_files) if test_files else None
    train, test = _halves(train, test, "the test half (t10k files)", "IDX", folder, report)
    return _image_dataset(train, test, names, source, cfg, report)


def _load_cifar(folder: Path, source: str, cfg: DataConfig) -> Dataset:
    train, test, names = load_cifar_dir(folder)
    report: list[str] = []
    train, test = _halves(train, test, "test_batch", "CIFAR-10", folder, report)
    return _image_dataset(train, test, names, source, cfg, report)


def _halves(train, test, test_name: str, kind: str, folder: Path, report: list[str]):
    """(train, own test): with only the test half on disk, it becomes the whole data set."""
    if train is None:
        assert test is not None
        train, test = test, None
        report.append(f"only {test_name} is present; using it as the whole data set")
    report.append(f"read {len(train[0])} {kind} images from {folder}")
    if test is not None:
        report.append(f"the set's own test split: {len(test[0])} images")
    return train, test


def _load_image_folder(path: Path, cfg: DataConfig) -> Dataset:
    own_test = (path / "train").is_dir() and (path / "test").is_dir()
    base = path / "train" if own_test else path
    files, labels, classes, report = list_image_folder(base)
    x, y, size, gray = load_image_files(files, labels, base, dict(cfg.params), report)
    test = None
    if own_test:
        t_files, t_labels, t_classes, t_report = list_image_folder(path / "test")
        if t_classes != classes:
            raise DataError(
                f"the test folder's classes {t_classes} differ from the train folder's {classes}",
                path=path / "test",
            )
        params = {"size": list(size), "grayscale": gray}  # the test set must match the train set
        test = load_image_files(t_files, t_labels, path / "test", params, t_report)[:2]
        report += t_report
    return _image_dataset((x, y), test, classes, str(path), cfg, report)


def _image_task(k: int, cfg: DataConfig) -> str:
    if cfg.task == "regression":
        raise DataError("an image classification data set cannot be used for regression")
    if cfg.task == "binary" and k != 2:
        raise DataError(f"task 'binary' needs 2 classes; this data set has {k}")
    return cfg.task or ("binary" if k == 2 else "multiclass")


def _to_float_images(x: np.ndarray) -> torch.Tensor:
    # One vectorised conversion: uint8 -> float32 in [0, 1].
    # (astype copies, which also frees the tensor from read-only frombuffer memory)
    return torch.from_numpy(x.astype(np.float32)).div_(255.0)


def _image_dataset(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None,
    names: list[str] | None,
    source: str,
    cfg: DataConfig,
    report: list[str],
) -> Dataset:
    label_parts = [train[1]] + ([test[1]] if test is not None else [])
    k = class_count(label_parts, names, source)
    names = names if names is not None else [str(i) for i in range(k)]
    task = _image_task(len(names), cfg)

    def build(pair: tuple[np.ndarray, np.ndarray], rep: list[str]) -> Dataset:
        x = _to_float_images(pair[0])
        y = torch.from_numpy(np.ascontiguousarray(pair[1], dtype=np.int64))
        info = make_info(x, y, task=task, class_names=names, source=source, is_image=True)
        return Dataset(x=x, y=y, info=info, report=rep)

    ds = build(train, report)
    if test is not None:
        ds.test = build(test, [])
    return ds


def _array_dataset(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None,
    source: str,
    cfg: DataConfig,
    report: list[str],
    class_names: list[str] | None = None,
) -> Dataset:
    x_img = as_image_array(train[0])
    if x_img is not None:
        t = (as_image_array(test[0]), test[1]) if test is not None else None
        ys = [train[1]] + ([test[1]] if test is not None else [])
        if all(v.dtype.kind in "iu" and v.ndim == 1 for v in ys):
            k = class_count(ys, None, source)
            return _image_dataset(
                (x_img, train[1]), t, [str(i) for i in range(k)], source, cfg, report
            )
    # Encode train and test targets together so both get the same class indices.
    n = len(train[1])
    y_all = train[1] if test is None else np.concatenate([train[1], test[1]])
    y, task, names = encode_target(y_all, task=cfg.task, where=source, class_names=class_names)

    def build(x_np: np.ndarray, y_t: torch.Tensor, rep: list[str]) -> Dataset:
        img = as_image_array(x_np)
        if img is not None:
            x = _to_float_images(img)
        elif x_np.dtype.kind in "iu":
            # Integer features are token ids (for an Embedding): they stay int64, unnormalised.
            x = torch.from_numpy(np.array(x_np, dtype=np.int64))
        else:
            x = torch.from_numpy(np.array(x_np, dtype=np.float32))
        info = make_info(
            x, y_t, task=task, class_names=names, source=source, is_image=img is not None
        )
        return Dataset(x=x, y=y_t, info=info, report=rep)

    ds = build(train[0], y[:n], report)
    if test is not None:
        ds.test = build(test[0], y[n:], [])
    if ds.x.dtype == torch.int64:
        report.append("integer features: kept as int64 token ids (not normalised)")
    return ds
