"""Importing ONNX and TorchScript files (engine/importer/file_sources.py, onnx_graph.py):
the oracles are torchvision's modules, onnxruntime on the file, and the NeuroCanvas project the
file was exported from."""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import torchvision
from neurocanvas.engine import project as project_io
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.cli import main
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.export.bundle import load_source
from neurocanvas.engine.export.onnx_export import export_onnx
from neurocanvas.engine.export.torchscript_export import export_torchscript
from neurocanvas.engine.importer.fx_import import ModelImportError
from neurocanvas.engine.importer.sources import import_source
from neurocanvas.resources import path as resource_path
from onnx import TensorProto, helper, numpy_helper


def _outputs(imported, x: torch.Tensor) -> torch.Tensor:
    model = compile_graph(imported.project.graph)
    model.load_state_dict(imported.state)
    with torch.no_grad():
        return model.eval()(x)


def _torch_onnx(module, shape, path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), (torch.randn(1, *shape),), str(path), **options)


def test_torchvision_squeezenet_from_onnx_matches_torchvision_and_the_runtime(tmp_path):
    torch.manual_seed(0)
    reference = torchvision.models.squeezenet1_1(weights=None).eval()
    _torch_onnx(reference, (3, 64, 64), tmp_path / "squeeze.onnx", dynamo=False)
    imported = import_source(str(tmp_path / "squeeze.onnx"))
    assert {"features", "classifier"} <= set(imported.project.graph.nodes)  # module blocks
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert (_outputs(imported, x) - reference(x)).abs().max() < 1e-4
    assert imported.max_difference < 1e-4  # against onnxruntime on the file


def test_torchscript_resnet_keeps_batch_norm_blocks_and_torchvisions_parameter_count(tmp_path):
    torch.manual_seed(1)
    reference = torchvision.models.resnet18(weights=None).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.trace(reference, torch.randn(1, 3, 32, 32)), tmp_path / "r.pt")
    imported = import_source(str(tmp_path / "r.pt"), input_shape=(3, 32, 32))
    graph = imported.project.graph
    assert [graph.nodes[name].type for name in ("bn1", "layer1", "layer4")] == [
        "BatchNorm2d", "Block", "Block"]  # fmt: skip
    counts = analyze(graph).shapes.values()
    assert sum(r.trainable_count for r in counts) == 11_689_512  # torchvision's published count
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert (_outputs(imported, x) - reference(x)).abs().max() < 1e-5


@pytest.mark.parametrize("exporter, suffix", [(export_onnx, ".onnx"), (export_torchscript, ".pt")])
def test_neurocanvas_exports_import_back_to_the_same_function(tmp_path, exporter, suffix):
    source = load_source(resource_path("examples", "residual-cnn.json"))
    path = tmp_path / f"model{suffix}"
    exporter(source, path)
    imported = import_source(str(path))  # the input's shape is read from the file
    x = torch.randn(3, *source.input_shapes[source.input_names[0]])
    with torch.no_grad():
        expected = source.plain_module().eval()(x)
    assert (_outputs(imported, x) - expected).abs().max() < 1e-5


def _onnx_file(path, nodes, initializers, in_shape, out_shape):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, *in_shape])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, *out_shape])],
        [numpy_helper.from_array(value, name) for name, value in initializers.items()],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def test_matmul_add_and_sigmoid_mul_become_dense_and_silu(tmp_path):
    rng = np.random.default_rng(0)
    weights = {"fc.weight": rng.standard_normal((4, 3), dtype=np.float32),
               "fc.bias": rng.standard_normal(3, dtype=np.float32)}  # fmt: skip
    nodes = [
        helper.make_node("MatMul", ["x", "fc.weight"], ["h"], name="/fc/MatMul"),
        helper.make_node("Add", ["h", "fc.bias"], ["z"], name="/fc/Add"),
        helper.make_node("Sigmoid", ["z"], ["s"], name="/act/Sigmoid"),
        helper.make_node("Mul", ["z", "s"], ["y"], name="/act/Mul"),
    ]
    _onnx_file(tmp_path / "m.onnx", nodes, weights, [4], [3])
    imported = import_source(str(tmp_path / "m.onnx"))
    types = [node.type for node in imported.project.graph]
    assert types == ["Input", "Dense", "SiLU"]
    x = rng.standard_normal((5, 4), dtype=np.float32)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    runtime = [session.run(None, {"x": row[None]})[0] for row in x]
    ours = _outputs(imported, torch.from_numpy(x)).numpy()
    assert np.abs(ours - np.concatenate(runtime)).max() < 1e-5


def test_an_operator_with_no_layer_is_named_with_its_node(tmp_path):
    nodes = [helper.make_node("Sin", ["x"], ["y"], name="/wave/Sin")]
    _onnx_file(tmp_path / "m.onnx", nodes, {}, [4], [4])
    with pytest.raises(ModelImportError, match=r"/wave/Sin \(Sin\): no NeuroCanvas layer"):
        import_source(str(tmp_path / "m.onnx"))


def test_asymmetric_padding_is_refused_with_the_reason(tmp_path):
    kernel = {"w": np.ones((2, 1, 3, 3), dtype=np.float32)}
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="/conv/Conv", pads=[0, 0, 1, 1])
    _onnx_file(tmp_path / "m.onnx", [conv], kernel, [1, 8, 8], [2, 7, 7])
    with pytest.raises(ModelImportError, match="asymmetric padding"):
        import_source(str(tmp_path / "m.onnx"))


def test_unreadable_files_say_what_they_are_not(tmp_path):
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelImportError, match="not a readable ONNX file"):
        import_source(str(tmp_path / "broken.onnx"))
    with pytest.raises(ModelImportError, match="no such file"):
        import_source(str(tmp_path / "missing.onnx"))


def test_torchscript_without_a_recorded_shape_asks_for_one(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(torch.nn.Linear(4, 2), torch.randn(1, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(traced, tmp_path / "plain.pt")
    with pytest.raises(ModelImportError, match="--input-shape"):
        import_source(str(tmp_path / "plain.pt"))
    assert import_source(str(tmp_path / "plain.pt"), input_shape=(4,)).max_difference < 1e-6


def test_cli_imports_an_onnx_file_with_its_weights(tmp_path, capsys):
    torch.manual_seed(2)
    reference = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 5), torch.nn.ReLU())
    _torch_onnx(reference, (3, 4), tmp_path / "m.onnx", dynamo=False)
    out = tmp_path / "m.json"
    assert main(["import", str(tmp_path / "m.onnx"), "--out", str(out)]) == 0
    assert "matches the file" in capsys.readouterr().err
    model = compile_graph(project_io.load(out).graph)
    model.load_state_dict(torch.load(tmp_path / "m.weights.pt", weights_only=True))
    x = torch.randn(2, 3, 4)
    with torch.no_grad():
        assert (model.eval()(x) - reference(x)).abs().max() < 1e-6
