"""``DataConfig``: what data to load and how to prepare it, as stored in the project file under "data".

``from_dict``/``to_dict`` round-trip through plain JSON; ``from_spec`` turns the CLI's ``--data SPEC``
(a path, a built-in name, or ``name:key=value,...``) into a config.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import DataError
from .settings import AUGMENTATIONS, MISSING_POLICIES, TASKS, check_data_settings, check_params

__all__ = ["AUGMENTATIONS", "MISSING_POLICIES", "TASKS", "DataConfig", "check_split"]

SYNTHETIC_NAMES: tuple[str, ...] = (
    "xor",
    "circles",
    "moons",
    "spirals",
    "blobs",
    "regression-plane",
    "sine",
)
BUILTIN_NAMES: tuple[str, ...] = ("mnist", "fashion-mnist", "cifar10")
# Small files shipped inside the package (resources/datasets/, see its README for their sources),
# read like the same file given by path: name -> (file, its own test file or None). A test file is
# the test split as it is (as ``test_source``), unless ``use_own_test`` is off.
PACKAGED_FILES: dict[str, tuple[str, str | None]] = {
    "iris": ("iris.csv", None),
    "airline": ("airline.csv", None),
    "gunpoint": ("GunPoint_TRAIN.ts", "GunPoint_TEST.ts"),
    "drug-reviews": ("drug_reviews_train.tsv", "drug_reviews_test.tsv"),
}
PACKAGED_NAMES: tuple[str, ...] = tuple(PACKAGED_FILES)
# Spellings people type for the built-ins; mapped to the canonical name.
_ALIASES = {
    "fashion_mnist": "fashion-mnist",
    "fashionmnist": "fashion-mnist",
    "cifar-10": "cifar10",
    "cifar_10": "cifar10",
    "regression_plane": "regression-plane",
    "plane": "regression-plane",
    "spiral": "spirals",
    "circle": "circles",
    "drug_reviews": "drug-reviews",
    "airline-passengers": "airline",
}


def canonical_name(name: str) -> str:
    """The canonical spelling of a synthetic or built-in data set name (lower case, aliases resolved)."""
    low = name.strip().lower()
    return _ALIASES.get(low, low)


def is_named_source(source: str) -> bool:
    """True when ``source`` names a synthetic, built-in or packaged data set rather than a path."""
    return canonical_name(source) in SYNTHETIC_NAMES + BUILTIN_NAMES + PACKAGED_NAMES


def packaged_path(name: str, test: bool = False) -> Path | None:
    """The file of a packaged data set (found with ``importlib.resources``, also in a wheel), or
    with ``test`` its own test file (None when it has none)."""
    from importlib import resources

    file = PACKAGED_FILES[canonical_name(name)][1 if test else 0]
    if file is None:
        return None
    return Path(str(resources.files("neurocanvas.resources").joinpath("datasets", file)))


def params_kind(source: str) -> str:
    """Whose params `source` takes: a synthetic set's own name, else its `source_kind`."""
    name = canonical_name(source)
    return name if name in SYNTHETIC_NAMES else source_kind(source)


def source_kind(source: str) -> str:
    """What kind of source this is: "synthetic", "builtin", "csv", "npz", "npy", "folder" or a
    file suffix. Settings such as ``params`` and ``target`` mean something only within one kind."""
    name = canonical_name(source)
    if name in SYNTHETIC_NAMES:
        return "synthetic"
    if name in BUILTIN_NAMES:
        return "builtin"
    path = packaged_path(name) if name in PACKAGED_NAMES else Path(source).expanduser()
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt", ".data", ".dat"):
        return "csv"
    return suffix.lstrip(".") or "file"


@dataclass
class DataConfig:
    """Where the data comes from and how it is split, cleaned, normalised and augmented."""

    source: str = "xor"
    params: dict[str, Any] = field(default_factory=dict)
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)
    seed: int = 0
    normalize: bool = True
    target: str | int | None = None
    task: str | None = None
    missing: str = "drop"
    augment: list[str] = field(default_factory=list)
    stratify: bool = True
    use_own_test: bool = True
    # A file (or folder) that is the test split as it is (UCR's _TEST file); validation then
    # comes from `source`. Any kind of source; test_file.py attaches it.
    test_source: str | None = None
    # An autoencoder's data: target = input; denoising adds noise to the input only.
    reconstruct: bool = False
    input_noise: str = "none"
    input_noise_strength: float = 0.3
    # Anomaly detection: training and validation rows of this class only (prepare.py).
    normal_class: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check every field against its `SettingSpec` (settings.py); raise ``DataError``
        naming the bad one. The params' values are checked too; they are kept as written."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "params"}
        for name, value in check_data_settings(values).items():
            setattr(self, name, value)
        if is_named_source(self.source):
            self.source = canonical_name(self.source)
        check_params(params_kind(self.source), self.params)
        if self.test_source is not None and is_named_source(self.test_source):
            raise DataError(
                f"data test_source must be a file or folder, not the data set name "
                f"'{self.test_source}'"
            )
        self.split = check_split(self.split)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DataConfig:
        """Build from the project file's "data" mapping; unknown keys are refused (they are typos)."""
        if not isinstance(d, dict):
            raise DataError(f"data config must be a mapping, not {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise DataError(
                f"unknown data setting(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}"
            )
        kwargs = {
            k: v
            for k, v in d.items()
            if v is not None or k in ("target", "task", "test_source", "normal_class")
        }
        # Copies, so the config never shares a list with the project it came from.
        if isinstance(kwargs.get("params"), dict):
            kwargs["params"] = dict(kwargs["params"])
        if isinstance(kwargs.get("augment"), (list, tuple)):
            kwargs["augment"] = list(kwargs["augment"])
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able mapping; ``from_dict(to_dict())`` gives an equal config."""
        return {
            "source": self.source,
            "params": dict(self.params),
            "split": list(self.split),
            "seed": self.seed,
            "normalize": self.normalize,
            "target": self.target,
            "task": self.task,
            "missing": self.missing,
            "augment": list(self.augment),
            "stratify": self.stratify,
            "use_own_test": self.use_own_test,
            "test_source": self.test_source,
            "reconstruct": self.reconstruct,
            "input_noise": self.input_noise,
            "input_noise_strength": self.input_noise_strength,
        } | ({"normal_class": self.normal_class} if self.normal_class is not None else {})

    @classmethod
    def from_spec(cls, spec: str, **overrides: Any) -> DataConfig:
        """The CLI's ``--data SPEC``: a path, a name (``xor``, ``mnist``...), ``name:n=400,noise=0.1``
        or ``path:key=value,...`` (``GunPoint.tsv:layout=ucr``, ``airline.csv:layout=series,window=12``).

        ``target``, ``task`` and ``missing`` in a path's settings are the section's own fields
        (``reviews.csv:layout=text,target=label``); a list is written with ``;`` (``ignore=id;note``)."""
        spec = spec.strip()
        name, _, rest = spec.partition(":")
        if is_named_source(name):
            params = _parse_params(rest, spec) if rest else {}
            params.update(overrides.pop("params", {}) or {})
            return cls(source=canonical_name(name), params=params, **overrides)
        path = Path(spec).expanduser()
        file, params = _path_and_params(spec)
        if not path.exists() and file is not None:  # "ArrowHead_TRAIN.tsv:layout=ucr"
            params.update(overrides.pop("params", {}) or {})
            fields = {k: params.pop(k) for k in SPEC_FIELDS if k in params}
            return cls(source=str(file), params=params, **{**fields, **overrides})
        if not path.exists():
            raise DataError(
                f"'{spec}' is neither an existing file or folder nor a known data set name "
                f"(known: {', '.join(SYNTHETIC_NAMES + BUILTIN_NAMES + PACKAGED_NAMES)})"
            )
        return cls(source=str(path), **overrides)


SPEC_FIELDS = ("target", "task", "missing")  # a path spec's keys that are not file params


def check_split(split: Any) -> tuple[float, float, float]:
    """Validate train/val/test fractions: three non-negative numbers, train > 0, summing to 1."""
    try:
        parts = tuple(float(s) for s in split)
    except (TypeError, ValueError):
        raise DataError(
            f"split must be three fractions [train, val, test], not {split!r}"
        ) from None
    if len(parts) == 2:
        parts = (parts[0], parts[1], 0.0)
    if len(parts) != 3:
        raise DataError(f"split must be three fractions [train, val, test], not {list(split)!r}")
    if any(p < 0 or p > 1 or math.isnan(p) for p in parts) or parts[0] <= 0:
        raise DataError(f"split fractions must lie in [0, 1] with train > 0, not {list(parts)}")
    if abs(sum(parts) - 1.0) > 1e-6:
        raise DataError(
            f"split fractions {list(parts)} add up to {sum(parts):g}, not 1 "
            "(e.g. [0.7, 0.15, 0.15])"
        )
    return parts  # type: ignore[return-value]


def _path_and_params(spec: str) -> tuple[Path | None, dict[str, Any]]:
    """(an existing path, its params) when ``spec`` is ``path:key=value,...``, else (None, {})."""
    for i, char in enumerate(spec):
        if char == ":" and "=" in spec[i + 1 :]:
            path = Path(spec[:i]).expanduser()
            if path.exists():
                return path, _parse_params(spec[i + 1 :], spec)
    return None, {}


def _parse_params(text: str, spec: str) -> dict[str, Any]:
    """``n=400,noise=0.1,root=/x`` -> {"n": 400, "noise": 0.1, "root": "/x"} (ints, floats, bools)."""
    out: dict[str, Any] = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise DataError(f"bad data spec '{spec}': expected key=value, got '{item}'")
        out[key.strip()] = _parse_value(value.strip())
    return out


def _parse_value(v: str) -> Any:
    if ";" in v:
        return [_parse_value(item.strip()) for item in v.split(";") if item.strip()]
    low = v.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v
