"""NeuroCanvas engine: layer registry, graph, shapes, compiler, summary, data, training, export.

Plain Python and PyTorch only; never imports Qt, so it works in scripts and on servers.
"""

__version__ = "0.1.0"
