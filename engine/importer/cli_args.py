"""The arguments of `neurocanvas import` (free of torch, so `--help` answers at once)."""

from __future__ import annotations


def register_commands(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="turn a PyTorch model into an editable project (blocks and weights kept)"
    )
    parser.add_argument(
        "source",
        help="torchvision:NAME (vgg16, resnet18, mobilenet_v2, ...; built without downloading), "
        "path/to/file.py:ClassName (your nn.Module; the file runs), a .onnx file, or a "
        "TorchScript file (torch.jit.save; NeuroCanvas's own exports record their input shape)",
    )
    parser.add_argument("--out", required=True, metavar="PROJECT", help="project file to write")
    parser.add_argument(
        "--weights",
        metavar="FILE",
        help="a state dict (.pth) to load into the model first, e.g. torchvision's published "
        "weights downloaded beforehand (ONNX and TorchScript files carry their own)",
    )
    parser.add_argument(
        "--input-shape",
        metavar="SHAPE",
        help="one input's shape, e.g. 3,224,224 (default for torchvision: 3,224,224)",
    )
    parser.add_argument("--args", metavar="JSON", help="constructor arguments for a .py class")
    parser.set_defaults(handler="neurocanvas.engine.importer.cli_commands:run_import")
