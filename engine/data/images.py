"""Image folders: one sub-folder per class (``root/cat/*.png``), optionally split into
``root/train/<class>`` and ``root/test/<class>``. Images are decoded with Pillow (in threads, since
decoding releases the GIL), converted to grayscale or RGB, resized to one size, and scaled to [0, 1].
Unreadable files are skipped and counted; a folder where every file fails is refused.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError
from .settings import check_params

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
IMAGE_PARAMS = {"size", "grayscale"}
_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "F"}


def is_image_folder(folder: Path) -> bool:
    """True when ``folder`` (or its ``train`` sub-folder) has class sub-folders holding images."""
    base = folder / "train" if (folder / "train").is_dir() else folder
    return any(_images_in(d) for d in _class_dirs(base))


def _class_dirs(folder: Path) -> list[Path]:
    return sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def list_image_folder(folder: Path) -> tuple[list[Path], list[int], list[str], list[str]]:
    """(files, class indices, class names, report lines) of a class-per-sub-folder tree."""
    if not folder.is_dir():
        raise DataError("no such folder", path=folder)
    report: list[str] = []
    classes: list[str] = []
    files: list[Path] = []
    labels: list[int] = []
    for d in _class_dirs(folder):
        imgs = _images_in(d)
        if not imgs:
            report.append(f"skipped sub-folder '{d.name}': no images")
            continue
        files.extend(imgs)
        labels.extend([len(classes)] * len(imgs))
        classes.append(d.name)
    if len(classes) < 2:
        found = f"only '{classes[0]}'" if classes else "none"
        raise DataError(
            f"an image folder needs one sub-folder of images per class and at least 2 classes; found {found}",
            path=folder,
        )
    return files, labels, classes, report


def _decode(path: Path, size: tuple[int, int], gray: bool) -> np.ndarray | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im = im.convert("L" if gray else "RGB")
            if im.size != (size[1], size[0]):
                im = im.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            arr = np.asarray(im, dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
    return arr[None] if gray else arr.transpose(2, 0, 1)


def _probe(files: list[Path]) -> tuple[tuple[int, int], bool] | None:
    """Size (H, W) and grayness of the first readable image, used as defaults."""
    from PIL import Image

    for f in files[:50]:
        try:
            with Image.open(f) as im:
                return (im.size[1], im.size[0]), im.mode in _GRAY_MODES
        except Exception:  # noqa: BLE001 - any unreadable file is just skipped here
            continue
    return None


def load_image_files(
    files: list[Path],
    labels: list[int],
    folder: Path,
    params: dict[str, Any],
    report: list[str],
) -> tuple[np.ndarray, np.ndarray, tuple[int, int], bool]:
    """Decode ``files`` to uint8 (N, C, H, W); skipped files are counted in ``report``."""
    unknown = set(params) - IMAGE_PARAMS
    if unknown:
        raise DataError(
            f"unknown image folder setting(s) {', '.join(sorted(unknown))}; known: size, grayscale",
            path=folder,
        )
    params = check_params("folder", params)
    probe = _probe(files)
    if probe is None:
        raise DataError(f"none of the {len(files)} image files could be read", path=folder)
    size = params.get("size") or probe[0]  # checked: (height, width)
    gray = probe[1] if params.get("grayscale") is None else bool(params["grayscale"])
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        arrays = list(pool.map(lambda f: _decode(f, size, gray), files))
    bad = [f for f, a in zip(files, arrays) if a is None]
    good = [i for i, a in enumerate(arrays) if a is not None]
    if not good:
        raise DataError(f"none of the {len(files)} image files could be read", path=folder)
    if bad:
        names = ", ".join(str(f.relative_to(folder)) for f in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        report.append(f"skipped {len(bad)} unreadable image(s): {names}{more}")
    x = np.stack([arrays[i] for i in good])
    y = np.asarray([labels[i] for i in good], dtype=np.int64)
    report.append(
        f"read {len(good)} images from {folder.name}, {'grayscale' if gray else 'RGB'} {size[0]}x{size[1]}"
    )
    return x, y, size, gray
