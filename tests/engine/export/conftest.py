"""Shared fixtures: every template compiled once per session (auto sizes: tests/template_sizes.py).
VGG16's 138M weights (a 553 MB ONNX file) make its exports slow tests, and so do the block
templates' (ResNet-18's 11M weights, nine inception modules: 3-7 s per export)."""

from __future__ import annotations

import pytest
from neurocanvas.engine.export import load_source
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.templates import list_templates
from template_sizes import TEMPLATE_SIZES

HEAVY = {"vgg16", "resnet18", "vgg16-transfer", "googlenet-stack"}
TEMPLATES = [
    pytest.param(t.name, marks=pytest.mark.slow) if t.name in HEAVY else t.name
    for t in list_templates()
]
AUTO = AutoSizes(input_shape=(4,), output_units=3)


def source_for(name: str):
    auto = TEMPLATE_SIZES.get(name, AUTO if name == "tabular-mlp" else None)
    return load_source(name, auto=auto, seed=0)


@pytest.fixture(scope="session")
def sources():
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = source_for(name)
        return cache[name]

    return get
