"""Importing PyTorch models: torchvision's (oracle: their parameter counts and outputs), a user's
.py class, the CLI, and clean refusals naming the module path."""

from __future__ import annotations

import json

import pytest
import torch
import torchvision
from neurocanvas.engine import project as project_io
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.blocks import walk
from neurocanvas.engine.cli import main
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.importer.fx_import import ModelImportError, import_module
from neurocanvas.engine.importer.sources import TORCHVISION_MODELS, import_source
from torch import nn

# The figures, which torchvision's own count must give too (the oracle is torchvision).
PUBLISHED = {"vgg16": 138_357_544, "resnet18": 11_689_512, "mobilenet_v2": 3_504_872}


def meta_model(name: str) -> nn.Module:
    options = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
    with torch.device("meta"):  # no memory, no initialisation: counts only
        return getattr(torchvision.models, name)(weights=None, **options)


@pytest.mark.slow
def test_every_torchvision_model_imports_with_torchvisions_parameter_count():
    counts = {}
    for name in TORCHVISION_MODELS:
        model = meta_model(name)
        graph = import_module(model, (3, 64, 64), name, copy_weights=False).project.graph
        analysis = analyze(graph)
        assert analysis.ok, (name, analysis.errors[:1])
        ours = sum(result.trainable_count for result in analysis.shapes.values())
        counts[name] = (ours, sum(p.numel() for p in model.parameters()))
    assert {name: ours for name, (ours, _) in counts.items()} == {
        name: theirs for name, (_, theirs) in counts.items()
    }
    assert all(counts[name][1] == figure for name, figure in PUBLISHED.items())


def _parity(name: str, size: int) -> float:
    torch.manual_seed(0)
    reference = getattr(torchvision.models, name)(weights=None).eval()
    imported = import_module(reference, (3, size, size), name)
    model = compile_graph(imported.project.graph)
    model.load_state_dict(imported.state)
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        return (model.eval()(x) - reference(x)).abs().max().item()


@pytest.mark.slow
def test_imported_output_equals_torchvisions():
    # Fire modules' concatenations; resnet18 is checked through the CLI below. (All 13 models
    # were checked by hand at 64x64; the suite keeps two for time.)
    assert _parity("squeezenet1_1", 64) < 1e-5


def test_resnet_hierarchy_becomes_blocks_named_after_the_modules():
    graph = import_module(meta_model("resnet18"), (3, 64, 64), "r", copy_weights=False)
    top = list(graph.project.graph.nodes)
    assert top == ["x", "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                   "layer4", "avgpool", "flatten", "fc"]  # fmt: skip
    paths = {path for path, _ in walk(graph.project.graph)}
    assert {"layer1.layer1_0.conv1", "layer1.layer1_0.add", "layer2.layer2_0.downsample"} <= paths
    # Laid out top-down: every node below the ones feeding it.
    body = graph.project.graph.nodes["layer1"].params["graph"].nodes["layer1_0"].params["graph"]
    for edge in body.edges:
        assert body.nodes[edge.dst[0]].pos[1] > body.nodes[edge.src[0]].pos[1]


@pytest.mark.slow
def test_cli_import_with_weights_file_gives_torchvisions_output(tmp_path, capsys):
    torch.manual_seed(3)
    reference = torchvision.models.resnet18(weights=None).eval()
    torch.save(reference.state_dict(), tmp_path / "r18.pth")
    out = tmp_path / "r18.json"
    args = ["import", "torchvision:resnet18", "--out", str(out), "--weights"]
    assert main([*args, str(tmp_path / "r18.pth"), "--input-shape", "3,32,32"]) == 0
    assert "11,689,512 trainable parameters" in capsys.readouterr().err
    model = compile_graph(project_io.load(out).graph)
    model.load_state_dict(torch.load(tmp_path / "r18.weights.pt", weights_only=True))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert (model.eval()(x) - reference(x)).abs().max().item() < 1e-5


class Doubler(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x) * 2


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        if x.sum() > 0:
            return self.fc(x)
        return x


class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Sequential(nn.Linear(4, 4), nn.PixelShuffle(2))

    def forward(self, x):
        return self.inner(x)


@pytest.mark.parametrize(
    "model,message",
    [
        (Doubler(), r"m: mul takes 1 tensor\(s\) where Scale takes 2 \(a constant"),
        (Branchy(), r"m: the model cannot be traced by torch.fx .*control flow"),
        (Odd(), r"m: inner.1 \(PixelShuffle\): no NeuroCanvas layer"),
    ],
)
def test_what_does_not_map_is_named_with_its_module_path(model, message):
    with pytest.raises(ModelImportError, match=message):
        import_module(model, (4,), "m")


def test_a_python_file_class_imports_with_its_arguments(tmp_path):
    source = tmp_path / "net.py"
    source.write_text(
        "from torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, hidden=8):\n"
        "        super().__init__()\n"
        "        self.body = nn.Sequential(nn.Linear(4, hidden), nn.ReLU())\n"
        "        self.head = nn.Linear(hidden, 3)\n"
        "    def forward(self, x):\n"
        "        return self.head(self.body(x))\n"
    )
    imported = import_source(f"{source}:Net", input_shape=(4,), arguments=json.dumps({"hidden": 5}))
    graph = imported.project.graph
    assert list(graph.nodes) == ["x", "body", "head"]
    assert graph.nodes["body"].type == "Block"
    model = compile_graph(graph)
    model.load_state_dict(imported.state)
    assert sorted(imported.state) == [
        "body.body_0.bias",
        "body.body_0.weight",
        "head.bias",
        "head.weight",
    ]
    with pytest.raises(ModelImportError, match=r"net.py has no nn.Module class named 'Nope'"):
        import_source(f"{source}:Nope", input_shape=(4,))
