"""TorchScript reload parity for every template; torch.export (.pt2) where it works."""

from __future__ import annotations

import warnings

import pytest
import torch
from neurocanvas.engine.export import ExportError
from neurocanvas.engine.export.torchscript_export import export_pt2, export_torchscript

from .conftest import TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_torchscript_reload_matches(name, sources, tmp_path):
    result = export_torchscript(sources(name), tmp_path / f"{name}.pt")
    assert result.max_abs_diff < 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit is deprecated upstream
        reloaded = torch.jit.load(str(result.path))
    source = sources(name)
    with torch.no_grad():
        expected = source.plain_module()(*source.example_inputs(5))
        assert torch.allclose(reloaded(*source.example_inputs(5)), expected, atol=1e-5)


@pytest.mark.parametrize("name", ["seed-cnn", "residual-cnn"])
def test_pt2_reload_matches(name, sources, tmp_path):
    result = export_pt2(sources(name), tmp_path / f"{name}.pt2")
    assert result.max_abs_diff < 1e-4


def test_pt2_failure_is_an_export_error(sources, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("cannot trace this graph")

    monkeypatch.setattr(torch.export, "export", refuse)
    with pytest.raises(ExportError):
        export_pt2(sources("dense-autoencoder"), tmp_path / "ae.pt2")
    assert not (tmp_path / "ae.pt2").exists()
