"""The templates built from blocks against independent references: ResNet-18 against
torchvision's resnet18, VGG16-transfer's frozen features against torchvision's VGG16
convolutions with weights from a file, the GoogLeNet-style stack against inception modules
written in torch.nn."""

from __future__ import annotations

import torch
import torchvision
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training.init_from import init_from, read_state
from torch import nn


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_resnet18_counts_and_computes_as_torchvision():
    model = compile_graph(load_template("resnet18").graph, seed=0)
    reference = torchvision.models.resnet18(num_classes=10)
    assert count(model) == count(reference)
    for module in reference.modules():  # statistics other than 0 and 1 must load too
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    report = init_from(model, reference.state_dict())
    assert report.unmatched == [] and report.unused == []
    assert "layer2" in report.by_position and "layer1" not in report.by_position
    model.eval()
    reference.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert (model(x) - reference(x)).abs().max() < 1e-5


def test_vgg16_transfer_takes_torchvision_weights_from_a_file_and_trains_only_its_head(tmp_path):
    from torchvision.models.vgg import cfgs, make_layers

    features = make_layers(cfgs["D"])  # torchvision's vgg16().features, random weights
    path = tmp_path / "vgg16.pth"
    torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, path)
    graph = load_template("vgg16-transfer").graph
    model = compile_graph(graph, seed=0)
    report = init_from(model, read_state(str(path)), str(path))
    assert report.matched == ["features"] and report.unmatched == ["fc1", "output"]
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        assert (model.features(x) - features(x)).abs().max() < 1e-5
    analysis = analyze(graph)
    assert analysis.shapes["features"].param_count == count(features)
    assert analysis.shapes["features"].trainable_count == 0
    head = nn.Sequential(nn.Flatten(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == count(head)


class Inception(nn.Module):
    """Szegedy et al.'s module, written by hand: 64 channels in, 16 + 32 + 8 + 8 out."""

    def __init__(self, channels=64):
        super().__init__()
        self.b1 = nn.Conv2d(channels, 16, 1)
        self.r3, self.b3 = nn.Conv2d(channels, 24, 1), nn.Conv2d(24, 32, 3, padding=1)
        self.r5, self.b5 = nn.Conv2d(channels, 8, 1), nn.Conv2d(8, 8, 5, padding=2)
        self.proj = nn.Conv2d(channels, 8, 1)

    def forward(self, x):
        relu = torch.relu
        pooled = nn.functional.max_pool2d(x, 3, 1, 1)
        branches = [self.b1(x), self.b3(relu(self.r3(x))), self.b5(relu(self.r5(x)))]
        return torch.cat([relu(b) for b in branches + [self.proj(pooled)]], dim=1)


def test_the_googlenet_stack_is_nine_inception_modules_each_with_its_own_weights():
    graph = load_template("googlenet-stack").graph
    reference = nn.Sequential(
        nn.Conv2d(3, 64, 3, padding=1),
        *(Inception() for _ in range(9)),
        nn.Linear(64, 10),
    )
    analysis = analyze(graph)
    assert analysis.ok and analysis.shape_of("inception5") == (64, 8, 8)
    assert sum(s.param_count for s in analysis.shapes.values()) == count(reference)
    model = compile_graph(graph, seed=0)
    assert len(model.inception4) == 5
    first, second = model.inception4[0], model.inception4[1]
    assert not torch.equal(
        first.state_dict()["branch1x1.0.weight"], second.state_dict()["branch1x1.0.weight"]
    )
    # One module, its weights copied from the block's first copy, computes what it computes.
    module = Inception()
    names = ["branch1x1", "reduce3x3", "branch3x3", "reduce5x5", "branch5x5", "pool_proj"]
    for mine, ours in zip(["b1", "r3", "b3", "r5", "b5", "proj"], names):
        layer = first.get_submodule(ours)
        layer = layer[0] if isinstance(layer, nn.Sequential) else layer
        getattr(module, mine).load_state_dict(layer.state_dict())
    x = torch.randn(2, 64, 8, 8)
    with torch.no_grad():
        assert (first(x) - module(x)).abs().max() < 1e-5


def test_inception_block_exposes_its_branch_widths():
    from neurocanvas.engine.blocks import exposed_values

    node = load_template("inception-block").graph.nodes["inception"]
    assert exposed_values(node) == {
        "filters_1x1": 16,
        "filters_3x3": 24,
        "filters_5x5": 8,
        "pool_proj": 8,
    }
