"""Generated model.py: readable, standalone, loads the state dict key for key and matches."""

from __future__ import annotations

import subprocess
import sys

import pytest
from neurocanvas.engine.export.code import export_pytorch, load_generated_module, model_code

from .conftest import TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_model_py_loads_state_dict_and_matches(name, sources, tmp_path):
    source = sources(name)
    result = export_pytorch(source, tmp_path, train_script=False)
    assert result.max_abs_diff < 1e-4
    module = load_generated_module(tmp_path / "model.py")
    assert set(module.Model().state_dict()) == set(source.model.state_dict())


def test_model_py_is_readable(sources):
    code = model_code(sources("seed-cnn"))
    assert "self.conv1 = nn.Sequential(nn.Conv2d(1, 16, kernel_size=5), nn.ReLU())" in code
    assert "conv1 = self.conv1(input)" in code
    assert "neurocanvas" not in code.split('"""', 2)[2]  # no import of the app


def test_custom_layers_are_copied_into_the_file(sources):
    code = model_code(sources("residual-cnn"))
    assert "class Add(nn.Module):" in code


@pytest.mark.slow
def test_model_py_runs_standalone(sources, tmp_path):
    export_pytorch(sources("lstm-classifier"), tmp_path, train_script=False)
    done = subprocess.run(
        [sys.executable, "-I", "model.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )  # -I: no site dir on the path but the venv's own
    assert done.returncode == 0, done.stderr
    assert "output shape: (2, 10)" in done.stdout


def test_layers_are_named_after_the_nodes(sources, tmp_path):
    result = export_pytorch(sources("dense-autoencoder"), tmp_path, train_script=False)
    assert "self.bottleneck = " in (tmp_path / "model.py").read_text()
    assert result.max_abs_diff < 1e-4
