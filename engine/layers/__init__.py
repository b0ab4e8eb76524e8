"""Layer families. Importing this package registers every layer in `engine.registry`."""

from . import activation, conv, core, merge, noise, norm, pool, recurrent, reshape, separable  # noqa: F401
