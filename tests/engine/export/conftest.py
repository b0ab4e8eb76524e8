"""Shared fixtures: every template compiled once per session (auto sizes: 4 features, 3 classes).
VGG16's 138M weights (a 553 MB ONNX file) make its exports slow tests."""

from __future__ import annotations

import pytest
from neurocanvas.engine.export import load_source
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.templates import list_templates, load_template

HEAVY = {"vgg16"}
TEMPLATES = [
    pytest.param(t.name, marks=pytest.mark.slow) if t.name in HEAVY else t.name
    for t in list_templates()
]
AUTO = AutoSizes(input_shape=(4,), output_units=3)


def auto_for(name: str) -> AutoSizes:
    """4 features for an 'auto' Input, 3 units for an 'auto' Dense (text templates have both
    sizes fixed by their tokenizer but the classes from the data)."""
    inputs = load_template(name).graph.input_nodes()
    fixed = all(node.params.get("shape") != "auto" for node in inputs)
    return AutoSizes(output_units=3) if fixed else AUTO


def source_for(name: str):
    return load_source(name, auto=auto_for(name), seed=0)


@pytest.fixture(scope="session")
def sources():
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = source_for(name)
        return cache[name]

    return get
