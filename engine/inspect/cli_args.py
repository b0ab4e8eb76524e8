"""The arguments of `neurocanvas activations`, `explain` and `projector`; cli_commands.py does
the work. Free of torch, so `neurocanvas --help` answers at once."""

from __future__ import annotations

_HANDLERS = "neurocanvas.engine.inspect.cli_commands"


def _common(parser) -> None:
    parser.add_argument("project", help="project file (.json) or template name (for its data)")
    parser.add_argument("--weights", required=True, metavar="CKPT", help="best.pt or last.pt")
    parser.add_argument("--data", metavar="SPEC", help="data to look at (default: the project's)")
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="folder for the pictures and numbers"
    )
    parser.add_argument("--download", action="store_true", help="fetch a missing MNIST/CIFAR set")


def register_commands(subparsers) -> None:
    act = subparsers.add_parser(
        "activations", help="feature maps, filters and activation statistics of a trained model"
    )
    _common(act)
    act.add_argument("--sample", type=int, default=0, help="index in the test split (default 0)")
    act.add_argument("--layer", metavar="NODE", help="one node (default: every node)")
    act.add_argument(
        "--stats-samples", type=int, default=1000, help="samples for the statistics (default 1000)"
    )
    act.set_defaults(handler=f"{_HANDLERS}:run_activations")

    explain = subparsers.add_parser("explain", help="why the model answers as it does (Captum)")
    _common(explain)
    explain.add_argument(
        "--sample", type=int, default=0, help="index in the test split (default 0)"
    )
    explain.add_argument(
        "--method",
        choices=("saliency", "ig", "gradcam"),
        default="saliency",
        help="saliency, Integrated Gradients or Grad-CAM (images); tables always use IG",
    )
    explain.add_argument("--target", type=int, help="class to explain (default: the predicted one)")
    explain.add_argument(
        "--layer", metavar="NODE", help="Grad-CAM's layer (default: the last Conv2d)"
    )
    explain.add_argument("--top", type=int, default=5, help="classes listed in top_classes.json")
    explain.set_defaults(handler=f"{_HANDLERS}:run_explain")

    proj = subparsers.add_parser(
        "projector", help="a layer's activations over the test split projected to 2-D/3-D"
    )
    _common(proj)
    proj.add_argument("--layer", required=True, metavar="NODE")
    proj.add_argument("--method", choices=("pca", "tsne"), default="pca")
    proj.add_argument("--dims", type=int, choices=(2, 3), default=2)
    proj.add_argument(
        "--samples", type=int, default=1000, help="test samples to project (default 1000)"
    )
    proj.set_defaults(handler=f"{_HANDLERS}:run_projector")
