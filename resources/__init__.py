"""Icons, styles and example projects, found with `importlib.resources` (also from a wheel)."""

from importlib import resources as _resources
from pathlib import Path


def path(*parts: str) -> Path:
    """A file or folder inside this package."""
    return Path(str(_resources.files(__name__).joinpath(*parts)))
