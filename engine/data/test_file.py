"""A separate test file (``DataConfig.test_source``, the CLI's ``--test-data``): data that comes
split, such as UCR's ``_TRAIN``/``_TEST`` files. The test file is read with the training source's
settings and becomes ``Dataset.test``, the test split as it is; ``prepare`` then takes training and
validation from the training source only. Its labels are numbered by the training file's classes
(a class the training file lacks is refused: the model could never answer it), and its samples must
have the training file's shape (sequences are padded to the longer of the two)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .config import DataConfig
from .errors import DataError
from .images import is_image_folder
from .info import Dataset
from .sequences import repad


def attach_test_file(
    ds: Dataset, cfg: DataConfig, load: Callable[[DataConfig, list[str] | None], Dataset]
) -> Dataset:
    """``ds`` with the test file ``cfg.test_source`` (loaded by ``load(config, class_names)``)
    as its test split, replacing any test split of its own."""
    test_cfg = replace(cfg, source=str(cfg.test_source), test_source=None)
    folder = Path(test_cfg.source).expanduser()
    if ds.info.is_image and folder.is_dir() and is_image_folder(folder):
        # test images are resized (and coloured) as the training images were
        size = {"size": list(ds.x.shape[2:]), "grayscale": ds.x.shape[1] == 1}
        test_cfg = replace(test_cfg, params={**cfg.params, **size})
    names = list(ds.info.class_names) or None
    test = load(test_cfg, names)
    test.test = None  # a test folder's own train/test halves do not matter here
    if ds.info.is_sequence and test.info.is_sequence:
        length = max(ds.x.shape[-1], test.x.shape[-1])
        mask = ds.x.shape[-1] != test.x.shape[-1] or any(
            part.info.feature_names[-1:] == ["mask"] for part in (ds, test)
        )
        ds, test = _keep(ds, repad(ds, length, mask)), repad(test, length, mask)
    if test.info.task != ds.info.task and ds.info.task == "regression":
        raise DataError(
            f"the test file is {test.info.task} data, the training data is {ds.info.task}",
            path=cfg.test_source,
        )
    if tuple(test.info.feature_shape) != tuple(ds.info.feature_shape):
        raise DataError(
            f"its samples have shape {list(test.info.feature_shape)}, the training data's "
            f"{list(ds.info.feature_shape)} ({_columns_hint(ds, test)})",
            path=cfg.test_source,
        )
    if ds.info.feature_names and test.info.feature_names != ds.info.feature_names:
        raise DataError(
            f"its features differ from the training data's ({_columns_hint(ds, test)})",
            path=cfg.test_source,
        )
    ds.test = test
    ds.report.append(f"test split: {len(test)} samples from the test file {cfg.test_source}")
    ds.report += [f"test file: {line}" for line in test.report]
    return ds


def _keep(old: Dataset, new: Dataset) -> Dataset:
    """``new`` with ``old``'s fields a repad does not carry (texts, fill groups, preview)."""
    if new is old:
        return old
    new.fill, new.table, new.preview_columns, new.preview_rows = (
        old.fill,
        old.table,
        old.preview_columns,
        old.preview_rows,
    )
    return new


def _columns_hint(ds: Dataset, test: Dataset) -> str:
    only_train = [n for n in ds.info.feature_names if n not in test.info.feature_names]
    only_test = [n for n in test.info.feature_names if n not in ds.info.feature_names]
    if not only_train and not only_test:
        return "the same columns are needed in both files"
    parts = []
    if only_train:
        parts.append(f"only in the training data: {', '.join(only_train[:5])}")
    if only_test:
        parts.append(f"only in the test file: {', '.join(only_test[:5])}")
    return "; ".join(parts)
