"""The data settings, declared like layer parameters: `DATA_SETTINGS` for the keys of the project's
"data" section, and `PARAMS[kind]` for its "params" (which depend on the source: a CSV file's
delimiter, an image folder's size, a synthetic set's n and noise).

`DataConfig` and every loader check their values with `check_params`, so a bad value is one
`DataError` naming the field ("data params delimiter must be one character, got ';;'") however the
data is loaded. Which keys a source takes is still the loader's to say (its messages list them).

Adding a data setting: a `SettingSpec` here (in `DATA_SETTINGS`, or a `PARAMS` entry), the field on
`DataConfig` (config.py) or the loader that reads the param.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..registry import ParamError
from ..setting_spec import SEED_LIMIT, SettingSpec, check_section, seed_number
from .corruption import NOISE_KINDS
from .errors import DataError
from .layout_settings import LAYOUT, LAYOUT_SETTINGS, LAYOUTS, _column, _columns

__all__ = ["LAYOUTS", "LAYOUT_SETTINGS", "check_params", "params_for"]

TASKS = ("binary", "multiclass", "regression")
MISSING_POLICIES = ("drop", "mean", "median", "most_frequent")
AUGMENTATIONS = ("crop", "flip", "rotate", "affine", "color_jitter")
MAX_SYNTHETIC_SAMPLES = 5_000_000  # 2-D points: 80 MB, generated in seconds
MAX_IMAGE_SIDE = 8192


def _source(spec: SettingSpec, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParamError(f"{spec.name} must be a path or a data set name, got {value!r}")
    return value


def _split(spec: SettingSpec, value: Any) -> tuple[float, ...]:
    """Two or three fractions ("0.7, 0.3" from a form); `check_split` sees that they add to 1."""
    given = value
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or len(value) not in (2, 3):
        raise ParamError(f"{spec.name} must be fractions [train, val, test], got {given!r}")
    parts = []
    for part in value:
        number = SettingSpec(spec.name, "float", 0.0, "", min=0.0, max=1.0).coerce(part)
        parts.append(number)
    return tuple(parts)


def _augment(spec: SettingSpec, value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)):
        raise ParamError(f'{spec.name} must be a list such as ["flip", "crop"], got {value!r}')
    for name in value:
        if name not in AUGMENTATIONS:
            raise ParamError(
                f"{spec.name} has an unknown augmentation {name!r}; choose from {', '.join(AUGMENTATIONS)}"
            )
    return list(value)


DATA_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "source",
        "text",
        "xor",
        "A CSV/TSV, .npz or .npy file, a folder, or a data set name (xor, mnist, ...)",
        label="data source",
        check=_source,
    ),
    SettingSpec(
        "split",
        "text",
        (0.7, 0.15, 0.15),
        "Fractions of the samples for training, validation and test",
        label="data split",
        check=_split,
    ),
    SettingSpec(
        "seed",
        "int",
        0,
        "Makes the split (and synthetic data) repeatable",
        min=0,
        max=SEED_LIMIT,
        label="data seed",
        check=seed_number,
    ),
    SettingSpec(
        "normalize",
        "bool",
        True,
        "Standardise with the training split's statistics",
        label="standardisation",
    ),
    SettingSpec(
        "target",
        "text",
        None,
        "The target column of a table (empty: the last column)",
        optional=True,
        label="target column",
        check=_column,
    ),
    SettingSpec(
        "task",
        "choice",
        None,
        "binary, multiclass or regression (empty: guessed from the target)",
        choices=TASKS,
        optional=True,
        label="task",
    ),
    SettingSpec(
        "missing",
        "choice",
        "drop",
        "What to do with missing cells: drop the row, or fill from the training split",
        choices=MISSING_POLICIES,
        label="missing-value handling",
    ),
    SettingSpec(
        "augment",
        "choice",
        [],
        "Random changes to training images in every batch",
        choices=AUGMENTATIONS,
        label="augmentation",
        check=_augment,
    ),
    SettingSpec(
        "stratify", "bool", True, "Keep the class balance in every split", label="stratified split"
    ),
    SettingSpec(
        "use_own_test",
        "bool",
        True,
        "Use the data set's own test split where it has one (MNIST, CIFAR-10)",
        label="own test split",
    ),
    SettingSpec(
        "reconstruct",
        "bool",
        False,
        "Autoencoder: the target is the input itself (images, tables, series); the labels "
        "are kept for views only",
        label="target = input (autoencoder)",
    ),
    SettingSpec(
        "input_noise",
        "choice",
        "none",
        "Denoising: noise added to the input only, the clean input stays the target "
        "(gaussian, masking = zero some values, salt_pepper = set some to the min or max)",
        choices=NOISE_KINDS,
        label="input noise",
    ),
    SettingSpec(
        "input_noise_strength",
        "float",
        0.3,
        "Gaussian: the noise's standard deviation (in raw units, pixels 0-1); masking and "
        "salt_pepper: the fraction of values changed",
        min=0.0,
        max=1.0,
        label="input noise strength",
    ),
    SettingSpec(
        "normal_class",
        "text",
        None,
        "Anomaly detection: train and validate an autoencoder on the rows of this class only "
        "(the normal ones); the test split keeps every row, so rows of the other classes show "
        "as large reconstruction errors (empty: every row)",
        optional=True,
        label="train on class",
    ),
    SettingSpec(
        "test_source",
        "text",
        None,
        "A separate file (or folder) that is the test split as it is; validation then comes "
        "from the data source (empty: the test split comes from the data source)",
        optional=True,
        label="test file",
        check=_source,
    ),
)


def _delimiter(spec: SettingSpec, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 1 or value in '\r\n"':
        raise ParamError(
            f'{spec.name} must be one character such as "," or ";" (empty: detected), got {value!r}'
        )
    return value


def _encoding(spec: SettingSpec, value: Any) -> str:
    try:
        info = codecs.lookup(value) if isinstance(value, str) else None
    except LookupError:
        info = None
    # base64, zlib, rot13... are codecs too, but they do not turn bytes into text.
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ParamError(
            f"{spec.name} must be a text encoding such as utf-8 or latin-1, got {value!r}"
        )
    return value


def _image_size(spec: SettingSpec, value: Any) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ParamError(
            f"{spec.name} must be a side or [height, width] such as [28, 28], got {value!r}"
        )
    return SettingSpec(spec.name, "shape", (), "", min=1, max=MAX_IMAGE_SIDE).coerce(list(value))


def _pair(spec: SettingSpec, value: Any) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ParamError(f"{spec.name} must be two numbers such as [1.0, 0.5], got {value!r}")
    number = SettingSpec(spec.name, "float", 0.0, "", min=-1e6, max=1e6)
    return (number.coerce(value[0]), number.coerce(value[1]))


def _optional_bool(name: str, help: str, label: str) -> SettingSpec:
    return SettingSpec(name, "bool", None, help, optional=True, label=label)


CSV_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "delimiter",
        "text",
        None,
        "The column separator (empty: detected)",
        optional=True,
        label="delimiter",
        check=_delimiter,
    ),
    _optional_bool(
        "header", "Whether the first row names the columns (empty: detected)", "header row"
    ),
    SettingSpec(
        "encoding",
        "text",
        None,
        "The file's text encoding (empty: utf-8, else latin-1)",
        optional=True,
        label="encoding",
        check=_encoding,
    ),
    SettingSpec(
        "max_onehot",
        "int",
        10,
        "Text columns with at most this many values are one-hot encoded, others numbered",
        min=0,
        max=10_000,
        label="one-hot limit",
    ),
    SettingSpec(
        "ignore",
        "text",
        [],
        "Columns to leave out, such as an ID column",
        label="ignored columns",
        check=_columns,
    ),
    SettingSpec(
        "categorical",
        "text",
        [],
        "Columns to treat as categories even where they hold numbers (a code, a zip)",
        label="categorical columns",
        check=_columns,
    ),
    LAYOUT,
)
IMAGE_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "size",
        "shape",
        None,
        "Resize every image to [height, width] (empty: the first image's)",
        optional=True,
        label="image size",
        check=_image_size,
    ),
    _optional_bool("grayscale", "Convert to one channel (empty: as the first image)", "grayscale"),
    SettingSpec(
        "layout",
        "choice",
        None,
        "text: one sub-folder of .txt files per class (empty: detected)",
        choices=("text",),
        optional=True,
        label="folder layout",
    ),
)
BUILTIN_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "root",
        "text",
        None,
        "The folder that holds the data set",
        optional=True,
        label="data folder",
    ),
    SettingSpec("download", "bool", False, "Download it when it is missing", label="download"),
)
NPY_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("y", "text", None, "The .npy file of the targets", optional=True, label="targets"),
)

_N = SettingSpec(
    "n",
    "int",
    500,
    "How many samples to generate",
    min=2,
    max=MAX_SYNTHETIC_SAMPLES,
    label="number of samples",
)
_NOISE = SettingSpec(
    "noise",
    "float",
    0.0,
    "Gaussian jitter added to every point",
    min=0.0,
    max=100.0,
    label="noise",
)


def _classes(default: int) -> SettingSpec:
    return SettingSpec(
        "classes", "int", default, "How many classes", min=2, max=1000, label="classes"
    )


SYNTHETIC_SETTINGS: Mapping[str, tuple[SettingSpec, ...]] = MappingProxyType(
    {
        "xor": (_N, _NOISE),
        "circles": (_N, _NOISE),
        "moons": (_N, _NOISE),
        "spirals": (
            _N,
            _NOISE,
            _classes(2),
            SettingSpec(
                "turns", "float", 1.0, "Turns of each arm", min=0.0, max=100.0, label="turns"
            ),
        ),
        "blobs": (
            _N,
            _NOISE,
            _classes(3),
            SettingSpec(
                "spread", "float", 0.15, "Spread of each blob", min=0.0, max=100.0, label="spread"
            ),
        ),
        "regression-plane": (
            _N,
            _NOISE,
            SettingSpec(
                "coef", "text", (1.0, 0.5), "The plane's two slopes", label="slopes", check=_pair
            ),
            SettingSpec(
                "bias", "float", 0.0, "The plane's offset", min=-1e6, max=1e6, label="offset"
            ),
        ),
        "sine": (_N, _NOISE),
    }
)

# The params of each kind of source (`config.source_kind`); a synthetic set has its own.
PARAMS: Mapping[str, tuple[SettingSpec, ...]] = MappingProxyType(
    {
        "csv": CSV_SETTINGS,
        "folder": IMAGE_SETTINGS,
        "builtin": BUILTIN_SETTINGS,
        "npy": NPY_SETTINGS,
        **SYNTHETIC_SETTINGS,
    }
)


def params_for(kind: str) -> tuple[SettingSpec, ...]:
    """The specs of the params a source kind ("csv", "folder"...) or synthetic set ("xor") takes."""
    return PARAMS.get(kind, ())


def check_layout_params(params: Mapping[str, Any], allowed: set[str], what: str, path) -> dict:
    """A layout's params (a series', a text file's...) checked: a key it does not take is refused
    with the ones it does; the values are coerced as ``check_params("csv", ...)`` does."""
    unknown = set(params) - allowed
    if unknown:
        raise DataError(
            f"unknown {what} setting(s) {', '.join(sorted(unknown))}; known: "
            f"{', '.join(sorted(allowed))}",
            path=path,
        )
    return check_params("csv", params)


def check_params(kind: str, params: Any) -> dict[str, Any]:
    """`params` with the values of the keys `kind` declares coerced (other keys untouched: the
    loader refuses those it does not know). Raises DataError naming the field."""
    if not isinstance(params, Mapping):
        raise DataError(f"data 'params' must be a mapping, not {type(params).__name__}")
    specs = params_for(kind)
    layout = params.get("layout")
    if kind in ("csv", "folder") and isinstance(layout, str) and layout in LAYOUT_SETTINGS:
        specs = specs + LAYOUT_SETTINGS[layout]  # a series' window, a text's vocabulary...
    known = {spec.name for spec in specs}
    checked = check_section(
        "data params", specs, {k: v for k, v in params.items() if k in known}, DataError
    )
    return {**params, **checked}


def check_data_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level "data" values (not params) coerced by `DATA_SETTINGS`; DataError naming
    the field otherwise."""
    return check_section("data", DATA_SETTINGS, values, DataError)
