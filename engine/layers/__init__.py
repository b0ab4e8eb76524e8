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
    rbm,
    recurrent,
    reshape,
    sampling,
    separable,
    time_distributed,
    transformer,
)
