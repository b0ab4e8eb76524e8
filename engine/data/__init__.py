"""NeuroCanvas data engine: load any data set a learner brings (synthetic, CSV/TSV, NumPy, image
folders, MNIST/Fashion-MNIST IDX, CIFAR-10), check it, split it and prepare it for training.

Typical use::

    cfg = DataConfig.from_spec("iris.csv")
    ds = load_dataset(cfg)          # tensors + DatasetInfo + report
    data = prepare(ds, cfg)         # normalised train/val/test + Preprocessing for checkpoints
"""

from ..lazy import make_lazy

# name -> the module that defines it, imported on first use (engine/lazy.py)
_EXPORTS = {
    "build_augment": ".augment",
    "MissingDataError": ".builtin",
    "cache_dir": ".builtin",
    "download": ".builtin",
    "AUGMENTATIONS": ".config",
    "BUILTIN_NAMES": ".config",
    "SYNTHETIC_NAMES": ".config",
    "DataConfig": ".config",
    "check_split": ".config",
    "DataError": ".errors",
    "Dataset": ".info",
    "DatasetInfo": ".info",
    "make_info": ".info",
    "load_dataset": ".loader",
    "PreparedData": ".prepare",
    "TensorSplit": ".prepare",
    "prepare": ".prepare",
    "Preprocessing": ".preprocessing",
    "preview_images": ".preview",
    "preview_rows": ".preview",
    "scatter_points": ".preview",
    "kfold_indices": ".splits",
    "split_indices": ".splits",
    "ImageFolderStream": ".streaming",
    "stream_image_folder": ".streaming",
    "make_synthetic": ".synthetic",
}
make_lazy(__name__, _EXPORTS)
