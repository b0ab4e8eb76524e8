"""Image folders too large to hold in memory: a ``torch.utils.data.Dataset`` that decodes each image
when asked, fed through a ``DataLoader`` with worker processes. Same decoding (size, grayscale,
[0, 1] scaling) as the in-memory loader, so a model trained one way predicts the other way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader
from torch.utils.data import Dataset as TorchDataset

from .errors import DataError
from .images import _decode, _probe, list_image_folder
from .settings import check_params

# Above this many bytes of float32 pixels, ``load_dataset`` on an image folder is a poor idea.
IN_MEMORY_LIMIT_BYTES = 4 * 1024**3


class ImageFolderStream(TorchDataset):
    """(image float32 (C, H, W) in [0, 1], class index) pairs decoded on demand."""

    def __init__(self, folder: str | Path, size: int | tuple[int, int] | None = None,
                 grayscale: bool | None = None) -> None:  # fmt: skip
        self.folder = Path(folder)
        self.files, labels, self.class_names, self.report = list_image_folder(self.folder)
        self.labels = np.asarray(labels, dtype=np.int64)
        probe = _probe(self.files)
        if probe is None:
            raise DataError(
                f"none of the first {min(50, len(self.files))} images could be read", path=folder
            )
        if size is None:
            self.size = probe[0]
        else:
            self.size = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
        self.grayscale = probe[1] if grayscale is None else bool(grayscale)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        arr = _decode(self.files[i], self.size, self.grayscale)
        if arr is None:
            # A DataLoader cannot skip items; a black image keeps the batch shape and is rare.
            c = 1 if self.grayscale else 3
            arr = np.zeros((c, *self.size), dtype=np.uint8)
        return torch.from_numpy(arr.astype(np.float32) / 255.0), int(self.labels[i])

    @property
    def feature_shape(self) -> tuple[int, int, int]:
        return (1 if self.grayscale else 3, *self.size)

    def estimated_bytes(self) -> int:
        """Memory the whole folder would take as float32 tensors."""
        c, h, w = self.feature_shape
        return len(self) * c * h * w * 4


def stream_image_folder(
    folder: str | Path,
    *,
    params: dict[str, Any] | None = None,
    batch_size: int = 64,
    shuffle: bool = True,
    num_workers: int = 2,
    seed: int = 0,
) -> DataLoader:
    """A ``DataLoader`` over an image folder, decoding in ``num_workers`` processes."""
    params = check_params("folder", params or {})
    ds = ImageFolderStream(folder, size=params.get("size"), grayscale=params.get("grayscale"))
    gen = torch.Generator().manual_seed(seed)
    return DataLoader(
        ds,
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=num_workers,
        generator=gen,
        persistent_workers=num_workers > 0,
        pin_memory=torch.cuda.is_available(),
    )
