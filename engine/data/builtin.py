"""Built-in data sets (MNIST, Fashion-MNIST, CIFAR-10): where their files are looked for, the message
when they are missing, and the opt-in download (torchvision, into the user cache; never in tests).

Search order: params ``{"root": ...}``, then ``$NEUROCANVAS_DATA``, then the platformdirs user cache
directory. In each, the files may sit directly, in a folder named after the set, or in torchvision's
layout (``MNIST/raw``, ``FashionMNIST/raw``, ``cifar-10-batches-py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from .cifar import find_cifar_dir
from .errors import DataError
from .idx import find_idx_pair

FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip
_SUBDIRS = {
    "mnist": ["", "mnist", "MNIST/raw", "MNIST"],
    "fashion-mnist": ["", "fashion-mnist", "FashionMNIST/raw", "FashionMNIST"],
    "cifar10": ["", "cifar10", "cifar-10"],
}
_IDX_FILES = [
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
]  # fmt: skip


def cache_dir() -> Path:
    """The user cache folder for downloaded data sets."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("neurocanvas")) / "datasets"


def search_roots(root: str | Path | None = None) -> list[Path]:
    """Folders searched for built-in data sets, in order."""
    roots = []
    if root:
        roots.append(Path(root).expanduser())
    env = os.environ.get("NEUROCANVAS_DATA")
    if env:
        roots.append(Path(env).expanduser())
    roots.append(cache_dir())
    return roots


def locate(name: str, root: str | Path | None = None) -> Path | None:
    """The folder holding ``name``'s files, or None."""
    for base in search_roots(root):
        for sub in _SUBDIRS[name]:
            folder = base / sub if sub else base
            if not folder.is_dir():
                continue
            if name == "cifar10":
                found = find_cifar_dir(folder)
                if found:
                    return found
            elif find_idx_pair(folder, "train") or find_idx_pair(folder, "t10k"):
                return folder
    return None


def missing_message(name: str, root: str | Path | None = None) -> str:
    """Exactly which files to put where, and how to download them."""
    where = search_roots(root)
    if name == "cifar10":
        files = (
            "the folder cifar-10-batches-py (data_batch_1 ... data_batch_5, test_batch, batches.meta) "
            "or cifar-10-batches-bin (data_batch_1.bin ... test_batch.bin) from "
            "https://www.cs.toronto.edu/~kriz/cifar.html"
        )
    else:
        files = ", ".join(_IDX_FILES) + " (gzipped or not)"
    return (
        f"data set '{name}' is not on disk. Put {files} in one of: "
        + "; ".join(str(w) for w in where)
        + " (or set NEUROCANVAS_DATA), or choose the folder that holds them as the data source"
        + " (in the window: Source 'MNIST / CIFAR folder', Browse…). On the command line,"
        + f" train or evaluate with --download fetches them into {cache_dir()}"
    )


class MissingDataError(DataError):
    """A built-in data set that is not on disk; `name` lets the window offer to download it."""

    def __init__(self, name: str, root: str | Path | None = None, wished: bool = False) -> None:
        text = missing_message(name, root)
        if wished:
            text += " (the project asks for a download, but only you can allow one)"
        super().__init__(text)
        self.name = name


def download(name: str, root: str | Path | None = None) -> Path:
    """Fetch ``name`` with torchvision into ``root`` (default: the user cache); returns its folder.

    torchvision shows a progress bar while downloading and checks the files' MD5 sums.
    """
    from torchvision import datasets  # imported here: only the download needs it

    target = Path(root).expanduser() if root else cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    cls = {
        "mnist": datasets.MNIST,
        "fashion-mnist": datasets.FashionMNIST,
        "cifar10": datasets.CIFAR10,
    }[name]
    try:
        for train in (True, False):
            cls(root=str(target), train=train, download=True)
    except Exception as e:  # network errors come in many types; the user needs one message
        raise DataError(f"downloading '{name}' into {target} failed: {e}") from e
    found = locate(name, target)
    if found is None:
        raise DataError(f"downloaded '{name}' but cannot find its files under {target}")
    return found
