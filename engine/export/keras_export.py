"""Keras 3 code: `model_keras.py`, a readable functional model (one line per node, named after it),
plus `model_keras.weights.npz`, the same weights in Keras' layout, which its `load_model()` loads.

Verified like the other exports: the written script is imported under Keras 3 (torch backend, no
TensorFlow needed), loads the weights and must give PyTorch's outputs at batch 1 and 3. Keras is
the optional extra `neurocanvas[keras]`. Layer conversions live in keras_layers.py; a node Keras
cannot express is named in the error.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from ..analysis import analyze
from ..blocks import BLOCK_TYPE, analyze_body
from .bundle import ExportSource
from .code import load_generated_module
from .keras_layers import CONVERTERS, Block, Layer, Node
from .literals import check_docstring, docstring_literal, identifier, one_line
from .parity import (
    TOLERANCE,
    ExportError,
    ExportResult,
    Stopwatch,
    atomic_output,
    check_tolerance,
    compare,
)

SCRIPT_NAME, WEIGHTS_NAME = "model_keras.py", "model_keras.weights.npz"
_RESERVED = {"os", "np", "keras", "layers", "model", "build_model", "load_model", "WEIGHTS"}


def _variable(node_id: str) -> str:
    name = identifier(node_id, "node name")
    return f"{name}_" if name in _RESERVED else name


def convert(source: ExportSource) -> tuple[list[str], dict[str, np.ndarray], list[str]]:
    """(lines of build_model's body, weights by 'layer/index', helper classes). A block is
    written inline, its layers named by path (`res1_conv1`, repeats `res1_0_conv1`)."""
    out = _Output()
    graph = source.project.graph
    _emit(source, graph, analyze(graph, source.auto), "", "", {}, out)
    return out.lines, out.weights, out.classes


class _Output:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.weights: dict[str, np.ndarray] = {}
        self.classes: list[str] = []
        self.names: set[str] = set()


def _emit(source, graph, analysis, prefix: str, path: str, bound: dict, out: _Output) -> str:
    """Write `graph`'s nodes (a block's body when `prefix` is set, its Inputs `bound` to outer
    variables); returns the variable of its last node."""
    variables: dict[str, str] = {}
    last = ""
    for node_id in graph.topological_order():
        node, result = graph.nodes[node_id], analysis.shapes[node_id]
        name = f"{prefix}{node_id}"
        if node.spec.is_source and prefix:
            variables[node_id] = last = bound[node_id]
            continue
        if name in out.names:
            raise ExportError(f"{name}: two layers would share this Keras name; rename one")
        out.names.add(name)
        var = variables[node_id] = last = _variable(name)
        inputs = [variables[edge.src[0]] for edge in graph.inputs_of(node_id)]
        if node.spec.is_source:
            shape = tuple(source.input_shapes[node_id])
            dtype = "int64" if source.input_dtypes[node_id] == torch.int64 else "float32"
            out.lines.append(
                f"{var} = keras.Input(shape={shape!r}, dtype={dtype!r}, name={name!r})"
            )
        elif node.type == BLOCK_TYPE:
            out.lines.append(
                f"{var} = {_block(source, node, result, name, path + node_id, inputs, out)}"
            )
        else:
            module = source.model.get_submodule(path + node_id)
            params = SimpleNamespace(**result.params)
            _convert(Node(name, node.type, params, result.input_shapes, module), var, inputs, out)
    return last


def _block(source, node, result, name: str, path: str, inputs: list[str], out: _Output) -> str:
    bound_body, body = analyze_body(node.params["graph"], result.input_shapes)
    ports = [inner.id for inner in bound_body.input_nodes()]
    copies = node.params["repeat"]
    current = inputs
    for index in range(copies):
        suffix = f"{index}_" if copies > 1 else ""
        where = f"{path}.{index}." if copies > 1 else f"{path}."
        last = _emit(
            source, bound_body, body, f"{name}_{suffix}", where, dict(zip(ports, current)), out
        )
        current = [last]
    return current[0]


def _convert(node: Node, out_var: str, inputs: list[str], out: _Output) -> None:
    converter = CONVERTERS.get(node.type)
    if converter is None:
        raise ExportError(
            f"{node.id}: {node.type} has no Keras equivalent in NeuroCanvas' Keras export; "
            "replace it, or export to ONNX, TorchScript or PyTorch code instead",
            node.id,
        )
    converted = converter(node)  # Unsupported (an ExportError) names the node
    if isinstance(converted, Block):
        joined = ", ".join(inputs)
        for line in converted.lines:
            line = line.replace("{out}", out_var).replace("{x}", joined)
            for index, name in enumerate(inputs):
                line = line.replace(f"{{x{index}}}", name)
            out.lines.append(line)
        for name, arrays in converted.weights.items():
            out.weights.update({f"{name}/{i}": a for i, a in enumerate(arrays)})
        out.classes += [c for c in converted.classes if c not in out.classes]
        return
    out.lines += _layer_lines(converted, node.id, out_var, inputs)
    out.weights.update({f"{node.id}/{i}": a for i, a in enumerate(converted.weights)})


def _layer_lines(layer: Layer, node_id: str, out: str, inputs: list[str]) -> list[str]:
    inputs = inputs[:1] if layer.first_input_only else inputs
    args = f"[{', '.join(inputs)}]" if layer.merge else ", ".join(inputs)
    lines = [f"{out} = {layer.constructor(node_id)}({args})"]
    if layer.then:
        activation = layer.then[:-1] + f", name={node_id + '_activation'!r})"
        lines.append(f"{out} = {activation}({out})")
    return lines


def keras_code(source: ExportSource) -> tuple[str, dict[str, np.ndarray]]:
    """The text of model_keras.py and the weights it loads."""
    body, weights, classes = convert(source)
    inputs = [_variable(name) for name in source.input_names]
    outputs = [_variable(name) for name in source.output_names]
    shapes = ", ".join(
        f"{n}: (N, {', '.join(map(str, s))})" for n, s in source.input_shapes.items()
    )
    doc = (
        f"{one_line(source.project.name)}: the network drawn in NeuroCanvas, as a Keras 3 model.\n\n"
        f"Generated by NeuroCanvas. Inputs: {shapes}.\n"
        "Images stay channels first, as drawn (data_format='channels_first'), so Flatten orders\n"
        "values as PyTorch does. Keras' torch and JAX backends run that on the CPU; TensorFlow's\n"
        "CPU convolutions need channels last (run this on the torch backend, the default here).\n\n"
        "    from model_keras import load_model\n"
        f"    model = load_model()   # the weights in {WEIGHTS_NAME}\n"
        "    model.predict(x)\n"
    )
    output = outputs[0] if len(outputs) == 1 else f"[{', '.join(outputs)}]"
    model_inputs = inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"
    helpers = "".join(f"\n{text.strip()}\n\n" for text in classes)
    code = f'''{docstring_literal(doc)}

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
from keras import layers

WEIGHTS = "{WEIGHTS_NAME}"
CLASS_NAMES = {source.class_names!r}

{helpers}
def build_model() -> keras.Model:
    """The network with fresh weights."""
{chr(10).join("    " + line for line in body)}
    return keras.Model(inputs={model_inputs}, outputs={output}, name="neurocanvas")


def load_model(weights: str | None = None) -> keras.Model:
    """The network with the exported weights."""
    model = build_model()
    path = weights or os.path.join(os.path.dirname(os.path.abspath(__file__)), WEIGHTS)
    with np.load(path) as stored:
        for layer in model.layers:
            count = len(layer.weights)
            if count:
                layer.set_weights([stored[f"{{layer.name}}/{{i}}"] for i in range(count)])
    return model


if __name__ == "__main__":
    load_model().summary()
'''
    check_docstring(code, doc, SCRIPT_NAME)
    return code, weights


def _import_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError as error:
        raise ExportError(
            "the Keras export needs Keras 3 on the torch backend: pip install "
            f"'neurocanvas[keras]' and leave KERAS_BACKEND unset or 'torch' ({error})"
        ) from None
    if keras.backend.backend() != "torch":
        raise ExportError(
            f"Keras runs on the {keras.backend.backend()!r} backend here; the export is checked "
            "on the torch backend (set KERAS_BACKEND=torch)"
        )
    return keras


def export_keras(
    source: ExportSource, folder: str | os.PathLike, tolerance: float = TOLERANCE
) -> ExportResult:
    """Write model_keras.py and its weights into `folder`, import it under Keras and compare."""
    keras = _import_keras()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clock = Stopwatch()
    code, weights = keras_code(source)
    script, weights_path = folder / SCRIPT_NAME, folder / WEIGHTS_NAME
    with (
        atomic_output(script, ".py") as temp_script,
        atomic_output(weights_path, ".npz") as temp_weights,
    ):
        with open(temp_weights, "wb") as handle:
            np.savez(handle, **weights)
        temp_script.write_text(code, encoding="utf-8")
        module = load_generated_module(temp_script, "neurocanvas_generated_keras_model")
        try:
            model = module.load_model(str(temp_weights))
        except (KeyError, ValueError) as error:
            raise ExportError(
                f"generated {SCRIPT_NAME} does not fit its weights: {error}"
            ) from None

        def run(*inputs: torch.Tensor):
            arrays = [x.numpy() for x in inputs]
            result = model(arrays if len(arrays) > 1 else arrays[0], training=False)
            results = result if isinstance(result, (list, tuple)) else [result]
            tensors = [torch.from_numpy(np.asarray(keras.ops.convert_to_numpy(r))) for r in results]
            return tensors if len(tensors) > 1 else tensors[0]

        diff = compare(source.plain_module(), run, source.example_inputs)
        check_tolerance(SCRIPT_NAME, diff, tolerance)
    files = [script, weights_path]
    return ExportResult(
        "keras",
        folder,
        sum(path.stat().st_size for path in files),
        clock.seconds,
        diff,
        warnings=list(source.warnings),
        files=files,
    )
