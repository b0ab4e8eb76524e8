"""Layer families. Importing this package registers every layer in `engine.registry`."""

from . import (  # noqa: F401
    activation,
    attention,
    block,
    conv,
    core,
    merge,
    noise,
    norm,
    pool,
    recurrent,
    reshape,
    separable,
    time_distributed,
    transformer,
)
