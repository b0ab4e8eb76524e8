"""Readable PyTorch code: a standalone `model.py` whose `Model` has the compiled graph's module
structure (so `load_state_dict` works key for key) and a forward that mirrors the graph.

One generic path: each child module is written as a constructor call rebuilt from its `__init__`
signature and attributes (`nn.Conv2d(1, 16, kernel_size=5)`), checked by building it again and
comparing `repr`s; modules NeuroCanvas defines itself (Reshape, Recurrent, merges, ...) are copied
into the file as small classes so it needs only torch.
"""

from __future__ import annotations

import importlib.util
import inspect
import keyword
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn

from .bundle import ExportSource
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
from .preprocess_code import preprocessing_code, preprocessing_doc

WEIGHTS_NAME = "model_state.pt"
_SKIPPED_ARGS = {"self", "device", "dtype"}


class _Writer:
    """Collects the custom classes a model needs while writing its constructor expressions."""

    def __init__(self) -> None:
        self.classes: dict[type, str] = {}
        self.blocks: dict[str, str] = {}  # class text -> class name (repeats share one class)

    def expression(self, module: nn.Module, where: str, argument: bool = False) -> str:
        """Constructor text for `module`. `argument`: it is passed to its owner's constructor,
        which may change it (Recurrent(keras_bias=True) turns biases into buffers), so only the
        owner's state dict is compared."""
        if isinstance(module, fx.GraphModule):  # a block: one class of its own
            return self.block_class(module, where) + "()"
        if isinstance(module, nn.Sequential):  # also a repeated block's copies (state keys 0, 1..)
            items = [self.expression(child, f"{where}[{i}]") for i, child in enumerate(module)]
            return "nn.Sequential(" + ", ".join(items) + ")"
        cls = type(module)
        custom = not cls.__module__.startswith("torch.")
        if custom and cls not in self.classes:
            # The custom classes it builds inside itself (TransformerEncoder's attention) first.
            for inner in module.modules():
                inner_cls = type(inner)
                if inner is not module and not inner_cls.__module__.startswith("torch."):
                    self.classes.setdefault(
                        inner_cls, textwrap.dedent(inspect.getsource(inner_cls))
                    )
            self.classes[cls] = textwrap.dedent(inspect.getsource(cls))
        prefix = "" if custom else "nn."
        for args in (self._from_signature(module), self._from_repr(module)):
            if args is None:
                continue
            text = f"{prefix}{cls.__name__}({args})"
            if self._rebuilds(text, module, check_state=not argument):
                return text
        raise ExportError(f"cannot write layer {where} ({cls.__name__}) as Python code", where)

    def block_class(self, gm: fx.GraphModule, where: str) -> str:
        """The name of the class written for a block's body (`Block_res1`)."""
        init, args, forward = module_lines(gm, self, f"{where}.")
        name = "Block_" + "_".join(part for part in re.split(r"\W+", where) if part)
        text = _class_text("{name}", init, args, forward)
        if text not in self.blocks:
            self.blocks[text] = identifier(name, "block class name")
        return self.blocks[text]

    def _from_signature(self, module: nn.Module) -> str | None:
        cls = type(module)
        init = cls.__init__
        if isinstance(module, nn.RNNBase):  # LSTM/GRU take *args; their parameters live on RNNBase
            init = nn.RNNBase.__init__
        try:
            signature = inspect.signature(init)
        except (TypeError, ValueError):
            return None
        positional, keywords = [], []
        for name, param in signature.parameters.items():
            if name in _SKIPPED_ARGS or name == "mode":
                continue
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if not hasattr(module, name):
                if param.default is param.empty:
                    return None
                continue
            value = getattr(module, name)
            if name == "bias" and (value is None or isinstance(value, torch.Tensor)):
                value = value is not None  # the attribute is the parameter; the argument a flag
            if isinstance(value, nn.Module):
                text = self.expression(value, name, argument=True)
            elif isinstance(value, torch.Tensor):
                return None
            else:
                value = _simplify(value)
                if param.default is not param.empty and _same(value, param.default):
                    continue
                text = repr(value)
            if param.default is param.empty and len(positional) < 2 and not keywords:
                positional.append(text)  # e.g. in/out sizes: nn.Linear(784, 512)
            else:
                keywords.append(f"{name}={text}")
        return ", ".join(positional + keywords)

    def _from_repr(self, module: nn.Module) -> str | None:
        extra = module.extra_repr()
        return extra if "\n" not in extra else None

    def _rebuilds(self, text: str, module: nn.Module, check_state: bool = True) -> bool:
        namespace: dict[str, Any] = {"nn": nn, "torch": torch}
        for source in self.classes.values():
            exec(
                compile("from __future__ import annotations\n" + source, "<model.py>", "exec"),
                namespace,
            )
        try:
            rebuilt = eval(text, namespace)  # our own generated text, never user input
        except Exception:  # noqa: BLE001 - a failed candidate falls through to the next one
            return False
        shapes = {k: tuple(v.shape) for k, v in module.state_dict().items()}
        if not check_state:
            return repr(rebuilt) == repr(module)
        return repr(rebuilt) == repr(module) and shapes == {
            k: tuple(v.shape) for k, v in rebuilt.state_dict().items()
        }


def _simplify(value: Any) -> Any:
    """(5, 5) -> 5 for the size arguments torch accepts either way; the rebuild check confirms."""
    if (
        isinstance(value, tuple)
        and value
        and all(v == value[0] for v in value)
        and isinstance(value[0], int)
        and not isinstance(value[0], bool)
    ):
        return value[0]
    return value


def _same(value: Any, default: Any) -> bool:
    return (
        type(value) is type(default)
        and value == default
        or _simplify(default) == value
        and not isinstance(value, bool)
    )


def _attr(name: str) -> str:
    return (
        f"self.{name}"
        if name.isidentifier() and not keyword.iskeyword(name)
        else f"self._modules[{name!r}]"
    )


def _class_text(name: str, init: list[str], args: list[str], forward: list[str]) -> str:
    return f"""class {name}(nn.Module):
    def __init__(self):
        super().__init__()
{chr(10).join(init) or "        pass"}

    def forward(self, {", ".join(args)}):
{chr(10).join(forward)}
"""


def module_lines(gm: fx.GraphModule, writer: _Writer, where: str = ""):
    """(constructor lines, forward arguments, forward lines) of a compiled graph's class."""
    layers = [
        (name, writer.expression(child, f"{where}{name}")) for name, child in gm.named_children()
    ]
    init = [
        f"        self.add_module({name!r}, {expr})"
        if not name.isidentifier()
        else f"        self.{name} = {expr}"
        for name, expr in layers
    ]
    forward, args, names = [], [], {}
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            names[node] = identifier(node.target, "input name")
            args.append(node.target)
        elif node.op == "call_module":
            names[node] = identifier(node.name, "layer name")
            call_args = ", ".join(names[a] for a in node.args)
            forward.append(f"        {node.name} = {_attr(node.target)}({call_args})")
        elif node.op == "output":
            result = fx.node.map_arg(node.args[0], lambda n: names[n])
            forward.append(f"        return {_tuple_text(result)}")
    return init, args, forward


def model_code(source: ExportSource, class_name: str = "Model") -> str:
    """The text of model.py for `source`'s compiled graph."""
    gm: fx.GraphModule = source.model
    identifier(class_name, "class name")
    writer = _Writer()
    init, args, forward = module_lines(gm, writer)
    dims = {n: ", ".join(str(int(d)) for d in s) for n, s in source.input_shapes.items()}
    shapes = ", ".join(f"{n}: (N, {d})" for n, d in dims.items())
    classes = "\n\n".join(_strip_future(text).rstrip() for text in writer.classes.values())
    blocks = "\n\n".join(text.replace("{name}", name, 1) for text, name in writer.blocks.items())
    example = ", ".join(
        f"torch.randint(0, 2, (2, {d}))"
        if source.input_dtypes[n] == torch.int64
        else f"torch.randn(2, {d})"
        for n, d in dims.items()
    )
    doc = (
        f"{one_line(source.project.name)}: the network drawn in NeuroCanvas, as plain PyTorch.\n\n"
        f"Generated by NeuroCanvas. Needs only torch. Inputs: {shapes}.\n"
        f"Class names: {one_line(source.class_names or 'none recorded')}.\n\n"
        + preprocessing_doc(source.preprocessing)
        + "\n    from model import load_model, preprocess\n"
        f"    model = load_model('{WEIGHTS_NAME}')   # eval mode\n"
        "    output = model(preprocess(raw_inputs))\n"
    )
    header = (
        docstring_literal(doc)
        + """

from __future__ import annotations

import torch
from torch import nn
"""
    )
    body = [header]
    if classes:
        body.append(
            "\n# Layers NeuroCanvas defines itself, copied here so this file stands alone.\n\n"
            + classes
            + "\n"
        )
    if blocks:
        body.append("\n\n# The blocks, one class per block body.\n\n" + blocks)
    body.append(f'''

class {class_name}(nn.Module):
    def __init__(self):
        super().__init__()
{chr(10).join(init)}

    def forward(self, {", ".join(args)}):
{chr(10).join(forward)}


CLASS_NAMES = {source.class_names!r}
{preprocessing_code(source.preprocessing)}

def load_model(weights: str = "{WEIGHTS_NAME}") -> {class_name}:
    """The model with the exported weights, in eval mode."""
    model = {class_name}()
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return model.eval()


if __name__ == "__main__":
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    model = load_model(os.path.join(here, "{WEIGHTS_NAME}"))
    with torch.no_grad():
        output = model({example})
    print(model)
    print("output shape:", tuple(output.shape) if isinstance(output, torch.Tensor) else output)
''')
    code = "".join(body)
    check_docstring(code, doc, "model.py")
    return code


def _tuple_text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(_tuple_text(v) for v in value)
    return str(value)


def _strip_future(text: str) -> str:
    return text.replace("from __future__ import annotations\n", "")


def load_generated_module(path: Path, name: str = "neurocanvas_generated_model"):
    """Import a generated model.py from `path` (for verification and tests)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.pop(name, None)
    spec.loader.exec_module(module)
    return module


def export_pytorch(
    source: ExportSource,
    folder: str | os.PathLike,
    class_name: str = "Model",
    tolerance: float = TOLERANCE,
    train_script: bool = True,
) -> ExportResult:
    """Write model.py, model_state.pt (state dict) and train.py into `folder`; model.py is imported
    from disk, loads the weights strictly and must match the compiled graph at batch 1 and 3."""
    from ..project import write_atomic

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clock = Stopwatch()
    code = model_code(source, class_name)
    state = {k: v.detach().cpu().clone() for k, v in source.model.state_dict().items()}
    model_path, weights_path = folder / "model.py", folder / WEIGHTS_NAME
    with (
        atomic_output(model_path, ".py") as temp_code,
        atomic_output(weights_path, ".pt") as temp_w,
    ):
        temp_code.write_text(code, encoding="utf-8")
        torch.save(state, temp_w)
        module = load_generated_module(temp_code)
        model = getattr(module, class_name)()
        try:
            model.load_state_dict(torch.load(temp_w, map_location="cpu", weights_only=True))
        except RuntimeError as error:
            raise ExportError(f"generated model.py does not fit the weights: {error}") from None
        model.eval()
        diff = compare(source.plain_module(), model, source.example_inputs)
        check_tolerance("model.py", diff, tolerance)
    files = [model_path, weights_path]
    if train_script:
        from .train_script import train_code

        train_path = folder / "train.py"
        write_atomic(train_path, train_code(source))
        files.append(train_path)
    size = sum(path.stat().st_size for path in files)
    return ExportResult(
        "pytorch",
        folder,
        size,
        clock.seconds,
        diff,
        warnings=list(source.warnings),
        files=files,
        details={"class_name": class_name},
    )
