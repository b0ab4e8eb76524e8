"""Shared fixtures: every template compiled once per session (auto sizes: 4 features, 3 classes)."""

from __future__ import annotations

import pytest
from neurocanvas.engine.export import load_source
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.templates import list_templates

TEMPLATES = [t.name for t in list_templates()]
AUTO = AutoSizes(input_shape=(4,), output_units=3)


def source_for(name: str):
    return load_source(name, auto=AUTO if name == "tabular-mlp" else None, seed=0)


@pytest.fixture(scope="session")
def sources():
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = source_for(name)
        return cache[name]

    return get
