"""Where an imported model comes from: `torchvision:NAME` (built without weights: nothing is
downloaded), `path/to/file.py:ClassName`, or an ONNX / TorchScript file (file_sources.py);
`--weights FILE` loads a state dict into the first two."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import torch
from torch import nn

from ..safe_io import check_regular_file
from .fx_import import Imported, ModelImportError, import_module

TORCHVISION_MODELS = (
    "vgg11",
    "vgg16",
    "vgg19",
    "resnet18",
    "resnet34",
    "resnet50",
    "mobilenet_v2",
    "mobilenet_v3_small",
    "efficientnet_b0",
    "densenet121",
    "googlenet",
    "squeezenet1_1",
    "alexnet",
)
IMAGENET_SHAPE = (3, 224, 224)


def torchvision_model(name: str) -> nn.Module:
    """torchvision's architecture `name` with random weights (`weights=None`: no download)."""
    if name not in TORCHVISION_MODELS:
        raise ModelImportError(
            f"torchvision:{name} is not one of the models NeuroCanvas imports: "
            + ", ".join(TORCHVISION_MODELS)
        )
    import torchvision

    options = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    return getattr(torchvision.models, name)(weights=None, **options)


def python_model(spec: str, arguments: str | None = None) -> nn.Module:
    """`path/to/file.py:ClassName` built with no arguments, or with `arguments` (a JSON object).
    The file is the user's own code: it runs, as `python file.py` would."""
    path_text, _, class_name = spec.rpartition(":")
    path = Path(path_text)
    if not path_text or not class_name or path.suffix != ".py":
        raise ModelImportError(f"{spec}: write path/to/file.py:ClassName")
    check_regular_file(path, ModelImportError, "Python file")
    module_name = f"neurocanvas_import_{path.stem}"
    loader = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(loader)
    sys.modules[module_name] = module
    try:
        loader.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - the user's file failing is reported, not raised
        raise ModelImportError(
            f"{path}: importing it failed ({type(error).__name__}: {error})"
        ) from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ModelImportError(f"{path} has no nn.Module class named {class_name!r}")
    try:
        kwargs = json.loads(arguments) if arguments else {}
    except ValueError as error:
        raise ModelImportError(f"--args {arguments!r} is not JSON ({error})") from None
    if not isinstance(kwargs, dict):
        raise ModelImportError("--args must be a JSON object of constructor arguments")
    try:
        return cls(**kwargs)
    except Exception as error:  # noqa: BLE001
        raise ModelImportError(f"{path}:{class_name}(**{kwargs}) failed: {error}") from None


def load_weights(model: nn.Module, path: str) -> None:
    """A state dict file (torch.load with weights_only: no code runs) into `model`, strictly."""
    path = check_regular_file(path, ModelImportError, "weights file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001
        raise ModelImportError(f"{path}: not a readable state dict ({error})") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelImportError(f"{path}: a state dict (name -> tensor) was expected")
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        first = str(error).strip().splitlines()
        raise ModelImportError(
            f"{path}: the weights do not fit the model ({' '.join(first[:3])[:400]})"
        ) from None


def import_source(
    source: str, weights: str | None = None, input_shape=None, arguments: str | None = None
) -> Imported:
    """Build the model `source` names, load `weights` if given, and import it."""
    from .file_sources import import_file, is_model_file

    if is_model_file(source):
        if weights:
            raise ModelImportError(f"{source}: a model file carries its weights; drop --weights")
        return import_file(source, input_shape)
    if source.startswith("torchvision:"):
        name = source.removeprefix("torchvision:")
        model, default_shape = torchvision_model(name), IMAGENET_SHAPE
    elif ".py:" in source:
        model, default_shape = python_model(source, arguments), None
        name = source.rpartition(":")[2]
    else:
        raise ModelImportError(
            f"{source}: write torchvision:NAME (e.g. torchvision:resnet18), path/to/file.py:Class, "
            "a .onnx file or a TorchScript file"
        )
    shape = tuple(input_shape) if input_shape else default_shape
    if shape is None:
        raise ModelImportError(
            f"{source}: give the shape of one input with --input-shape, e.g. 3,32,32"
        )
    if weights:
        load_weights(model, weights)
    return import_module(model, shape, name)
