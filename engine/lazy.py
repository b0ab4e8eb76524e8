"""Package namespaces whose names import their module on first use (PEP 562).

`from neurocanvas.engine.data import DataConfig` still works, but importing the package, or one
small module inside it, no longer imports every sibling: `neurocanvas templates`, `--help` and the
window's first paint must not wait for torch, torchvision and pandas.

A name the package exports keeps winning over a submodule of the same name (data's `prepare`
function over its `prepare` module), so write `from .prepare import X` or `importlib.import_module`
for such a module, not `import package.prepare as m`.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping


class _LazyPackage(types.ModuleType):
    """A package module whose `_EXPORTS` names resolve on first access."""

    def __getattr__(self, name: str) -> object:
        submodule = self.__dict__.get("_EXPORTS", {}).get(name)
        if submodule is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(submodule, self.__name__), name)
        types.ModuleType.__setattr__(self, name, value)  # later look-ups skip this method
        return value

    def __setattr__(self, name: str, value: object) -> None:
        # Importing `.prepare` would bind the package's `prepare` to that module; the package
        # exports the function of the same name, as the eager `from .prepare import prepare` did.
        exported_here = self.__dict__.get("_EXPORTS", {}).get(name) == f".{name}"
        if exported_here and isinstance(value, types.ModuleType):
            return
        types.ModuleType.__setattr__(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self.__dict__.get("_EXPORTS", {})))


def make_lazy(package: str, exports: Mapping[str, str]) -> None:
    """Export `name -> ".submodule"` from `package`, each imported when first used."""
    module = sys.modules[package]
    module._EXPORTS = dict(exports)
    module.__dict__.setdefault("__all__", sorted(exports))
    module.__class__ = _LazyPackage
