"""Per-sample image augmentation and the GUI previews."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import (
    AUGMENTATIONS,
    DataConfig,
    DataError,
    build_augment,
    load_dataset,
    make_info,
    prepare,
    preview_images,
    preview_rows,
)
from neurocanvas.engine.data.info import Dataset


def image_dataset(n=32, c=3, size=16) -> Dataset:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n, c, size, size, generator=g)
    y = torch.arange(n) % 2
    return Dataset(
        x=x,
        y=y,
        info=make_info(x, y, task="binary", class_names=["a", "b"], source="t", is_image=True),
    )


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_each_augmentation_keeps_shape_and_varies_per_sample(name):
    torch.manual_seed(0)
    x = torch.rand(1, 3, 16, 16).repeat(64, 1, 1, 1)  # 64 copies of one image
    out = build_augment([name])(x)
    assert out.shape == x.shape and out.dtype == x.dtype and torch.isfinite(out).all()
    distinct = torch.unique(out.flatten(1), dim=0).shape[0]
    assert distinct > 1, "every image in the batch got the same random transform"


def test_flip_is_a_mirror():
    torch.manual_seed(1)
    x = torch.arange(16.0).view(1, 1, 4, 4).repeat(32, 1, 1, 1)
    out = build_augment(["flip"])(x)
    for img in out:
        assert torch.equal(img, x[0]) or torch.equal(img, x[0].flip(-1))


def test_prepared_augment_works_on_normalised_batches():
    ds = image_dataset()
    data = prepare(ds, DataConfig(source="t", augment=["crop", "flip", "color_jitter"]))
    assert data.augment is not None
    batch = data.train.x[:8]
    out = data.augment(batch)
    assert out.shape == batch.shape
    # Back in raw space the values stay in [0, 1].
    raw = data.preprocessing.invert(out)
    assert float(raw.min()) >= -1e-4 and float(raw.max()) <= 1 + 1e-4


def test_augment_refused_for_tabular():
    x, y = torch.rand(20, 2), torch.arange(20) % 2
    ds = Dataset(x=x, y=y, info=make_info(x, y, task="binary", class_names=["a", "b"], source="t"))
    with pytest.raises(DataError, match="only to image data"):
        prepare(ds, DataConfig(source="t", augment=["flip"]))


def test_preview_images_grid():
    ds = image_dataset(n=10)
    grid = preview_images(ds, n=9)
    assert grid.dtype == np.uint8 and grid.shape == (3 * 18 + 2, 3 * 18 + 2, 3)
    aug = preview_images(ds, n=9, augmented=True)
    assert aug.shape == grid.shape and not np.array_equal(aug, grid)
    gray = preview_images(image_dataset(n=4, c=1), n=4)
    assert gray.ndim == 2


def test_preview_rows_for_tensor_data():
    cols, rows = preview_rows(load_dataset("xor"), n=5)
    assert cols == ["x1", "x2", "target"] and len(rows) == 5 and rows[0][2] in ("0", "1")
    cols, rows = preview_rows(image_dataset(n=3), n=3)
    assert cols == ["shape", "label"] and rows[0] == ["3x16x16", "a"]
