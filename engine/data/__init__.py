"""NeuroCanvas data engine: load any data set a learner brings (synthetic, CSV/TSV, NumPy, image
folders, MNIST/Fashion-MNIST IDX, CIFAR-10), check it, split it and prepare it for training.

Typical use::

    cfg = DataConfig.from_spec("iris.csv")
    ds = load_dataset(cfg)          # tensors + DatasetInfo + report
    data = prepare(ds, cfg)         # normalised train/val/test + Preprocessing for checkpoints
"""

from .augment import build_augment
from .builtin import MissingDataError, cache_dir, download
from .config import AUGMENTATIONS, BUILTIN_NAMES, SYNTHETIC_NAMES, DataConfig, check_split
from .errors import DataError
from .info import Dataset, DatasetInfo, make_info
from .loader import load_dataset
from .prepare import PreparedData, TensorSplit, prepare
from .preprocessing import Preprocessing
from .preview import preview_images, preview_rows, scatter_points
from .splits import kfold_indices, split_indices
from .streaming import ImageFolderStream, stream_image_folder
from .synthetic import make_synthetic

__all__ = [
    "AUGMENTATIONS",
    "BUILTIN_NAMES",
    "SYNTHETIC_NAMES",
    "DataConfig",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "ImageFolderStream",
    "PreparedData",
    "Preprocessing",
    "TensorSplit",
    "build_augment",
    "cache_dir",
    "check_split",
    "download",
    "MissingDataError",
    "kfold_indices",
    "load_dataset",
    "make_info",
    "make_synthetic",
    "prepare",
    "preview_images",
    "preview_rows",
    "scatter_points",
    "split_indices",
    "stream_image_folder",
]
