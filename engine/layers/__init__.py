"""Layer families. Importing this package registers every layer in `engine.registry`."""

from . import activation, conv, core, merge, norm, recurrent  # noqa: F401
