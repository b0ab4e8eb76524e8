"""ONNX: every template exports, passes the checker and matches onnxruntime at batch 1 and 3."""

from __future__ import annotations

import json

import onnx
import pytest
import torch
from neurocanvas.engine.export import ExportError
from neurocanvas.engine.export.onnx_export import export_onnx
from torch import nn

from .conftest import TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_matches_onnxruntime(name, sources, tmp_path):
    source = sources(name)
    result = export_onnx(source, tmp_path / f"{name}.onnx")
    assert result.max_abs_diff < 1e-4
    assert result.batch_sizes == (1, 3)
    model = onnx.load(str(result.path))
    assert [i.name for i in model.graph.input] == source.input_names
    assert [o.name for o in model.graph.output] == source.output_names
    batch_dim = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param == "batch"  # dynamic batch axis
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_metadata_holds_class_names_and_normalisation(sources, tmp_path):
    source = sources("xor")
    source = type(source)(
        **{
            **source.__dict__,
            "class_names": ["no", "yes"],
            "preprocessing": {
                "kind": "standardize",
                "mean": [0.5, 0.5],
                "std": [0.2, 0.2],
                "stats_shape": [2],
                "scale": 1.0,
            },
        }
    )
    result = export_onnx(source, tmp_path / "xor.onnx")
    meta = {p.key: p.value for p in onnx.load(str(result.path)).metadata_props}
    assert json.loads(meta["class_names"]) == ["no", "yes"]
    assert json.loads(meta["normalization"])["mean"] == [0.5, 0.5]
    assert meta["neurocanvas.trained"] == "false"


def test_untrained_export_warns(sources, tmp_path):
    result = export_onnx(sources("xor"), tmp_path / "xor.onnx")
    assert any("untrained" in warning for warning in result.warnings)


class _Bessel(nn.Module):
    def forward(self, x):
        return torch.special.i0(x)  # no ONNX operator for aten::i0


def test_unconvertible_layer_is_named_and_old_file_kept(tmp_path):
    from .conftest import source_for

    source = source_for("xor")
    source.model.hidden = nn.Sequential(source.model.hidden, _Bessel())
    out = tmp_path / "xor.onnx"
    out.write_bytes(b"previous export")
    with pytest.raises(ExportError) as error:
        export_onnx(source, out)
    assert error.value.node == "hidden (Dense)"
    assert "hidden" in str(error.value)
    assert out.read_bytes() == b"previous export"  # replaced only after verification
    assert not list(tmp_path.glob(".*"))


def test_opset_can_be_chosen(sources, tmp_path):
    result = export_onnx(sources("xor"), tmp_path / "xor.onnx", opset=17)
    assert result.details["opset"] == 17
