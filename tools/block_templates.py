"""Templates built from blocks (tools/make_templates.py writes them with the others): the
inception module as a reusable block, a GoogLeNet-style stack of nine, ResNet-18 and a VGG16
transfer-learning network for CIFAR-10-sized images.

ResNet-18 and VGG16's convolutions keep torchvision's module order inside each block, so a
torchvision state dict loads into them with `train --init-from FILE.pth` (blocks whose inner
names differ take their weights by position: engine/training/init_from.py).
"""

from __future__ import annotations

from collections.abc import Callable

from neurocanvas.engine.graph import Graph
from neurocanvas.engine.layout import apply_layout

CIFAR = {"shape": [3, 32, 32]}
CIFAR_DATA = {"source": "cifar10", "split": [0.7, 0.15, 0.15], "seed": 0}
TRAINING = {"optimizer": {"type": "Adam", "lr": 0.001}, "loss": "auto", "batch_size": 128}
INCEPTION_EXPOSE = {
    "filters_1x1": "branch1x1.out_channels",
    "filters_3x3": "branch3x3.out_channels",
    "filters_5x5": "branch5x5.out_channels",
    "pool_proj": "pool_proj.out_channels",
}


def conv(channels: int, kernel: int, stride: int = 1, pad: int | str = "same", **extra) -> dict:
    padding = {"padding": pad} if isinstance(pad, str) else {"padding": "explicit", "pad": pad}
    return {"out_channels": channels, "kernel_size": kernel, "stride": stride} | padding | extra


def relu_conv(channels: int, kernel: int) -> dict:
    return conv(channels, kernel, activation="relu")


def graph(nodes: list, edges: list[tuple[str, str]] | None = None) -> Graph:
    """`nodes`: (id, type, params[, trainable]) in order; chained unless `edges` are given (a
    destination's ports in the order its edges are listed)."""
    built = Graph()
    for node_id, layer_type, params, *rest in nodes:
        built.add_node(layer_type, params, node_id=node_id, trainable=not rest or rest[0])
    if edges is None:
        edges = [(a[0], b[0]) for a, b in zip(nodes, nodes[1:])]
    ports: dict[str, int] = {}
    for src, dst in edges:
        built.connect((src, 0), (dst, ports.setdefault(dst, 0)))
        ports[dst] += 1
    apply_layout(built)
    return built


def block(body: Graph, repeat: int = 1, expose: dict | None = None) -> dict:
    return {"graph": body, "expose": dict(expose or {}), "repeat": repeat}


def inception_body(b1: int, r3: int, b3: int, r5: int, b5: int, proj: int) -> Graph:
    """Szegedy et al.'s module: 1x1, 3x3 and 5x5 branches and a pooled 1x1, joined by channel."""
    nodes = [
        ("input", "Input", {}),
        ("branch1x1", "Conv2d", relu_conv(b1, 1)),
        ("reduce3x3", "Conv2d", relu_conv(r3, 1)),
        ("branch3x3", "Conv2d", relu_conv(b3, 3)),
        ("reduce5x5", "Conv2d", relu_conv(r5, 1)),
        ("branch5x5", "Conv2d", relu_conv(b5, 5)),
        ("pool", "MaxPool2d", {"kernel_size": 3, "stride": 1, "padding": 1}),
        ("pool_proj", "Conv2d", relu_conv(proj, 1)),
        ("concat", "Concatenate", {"inputs": 4, "axis": 0}),
    ]
    edges = [
        ("input", "branch1x1"),
        ("input", "reduce3x3"),
        ("reduce3x3", "branch3x3"),
        ("input", "reduce5x5"),
        ("reduce5x5", "branch5x5"),
        ("input", "pool"),
        ("pool", "pool_proj"),
        ("branch1x1", "concat"),
        ("branch3x3", "concat"),
        ("branch5x5", "concat"),
        ("pool_proj", "concat"),
    ]
    return graph(nodes, edges)


def inception_block() -> Graph:
    body = inception_body(16, 16, 24, 8, 8, 8)
    return graph(
        [
            ("input", "Input", CIFAR),
            ("stem", "Conv2d", relu_conv(32, 3)),
            ("inception", "Block", block(body, expose=INCEPTION_EXPOSE)),
            ("gap", "GlobalAvgPool2d", {}),
            ("output", "Dense", {"units": 10}),
        ]
    )


def googlenet_stack() -> Graph:
    """Nine inception modules as GoogLeNet stacks them (3a-3b, 4a-4e, 5a-5b, pooling between);
    each stage is one block repeated, so each module keeps 64 channels."""

    def stage(repeat: int) -> dict:
        return block(inception_body(16, 24, 32, 8, 8, 8), repeat, INCEPTION_EXPOSE)

    return graph(
        [
            ("input", "Input", CIFAR),
            ("stem", "Conv2d", relu_conv(64, 3)),
            ("inception3", "Block", stage(2)),
            ("pool3", "MaxPool2d", {}),
            ("inception4", "Block", stage(5)),
            ("pool4", "MaxPool2d", {}),
            ("inception5", "Block", stage(2)),
            ("gap", "GlobalAvgPool2d", {}),
            ("dropout", "Dropout", {"rate": 0.4}),
            ("output", "Dense", {"units": 10}),
        ]
    )


def basic_block(channels: int, stride: int = 1) -> Graph:
    """He et al.'s basic block as torchvision writes it: conv1, bn1, conv2, bn2 (+ the input,
    or a strided 1x1 `downsample` of it). With a downsample the two paths are blocks of their
    own (`residual`, `downsample`), so the weights keep torchvision's order."""
    plain = {"bias": False}
    residual = [
        ("conv1", "Conv2d", conv(channels, 3, stride, 1, **plain)),
        ("bn1", "BatchNorm2d", {}),
        ("relu", "ReLU", {}),
        ("conv2", "Conv2d", conv(channels, 3, 1, 1, **plain)),
        ("bn2", "BatchNorm2d", {}),
    ]
    if stride == 1:
        nodes = [("input", "Input", {}), *residual, ("add", "Add", {}), ("relu2", "ReLU", {})]
        chain = [n[0] for n in nodes]
        edges = [(a, b) for a, b in zip(chain, chain[1:])] + [("input", "add")]
        return graph(nodes, edges)
    downsample = [
        ("conv", "Conv2d", conv(channels, 1, stride, 0, **plain)),
        ("bn", "BatchNorm2d", {}),
    ]
    nodes = [
        ("input", "Input", {}),
        ("residual", "Block", block(graph([("input", "Input", {}), *residual]))),
        ("downsample", "Block", block(graph([("input", "Input", {}), *downsample]))),
        ("add", "Add", {}),
        ("relu", "ReLU", {}),
    ]
    edges = [("input", "residual"), ("input", "downsample"), ("residual", "add")]
    return graph(nodes, edges + [("downsample", "add"), ("add", "relu")])


def resnet_stage(channels: int) -> dict:
    """A ResNet-18 stage that halves the size: a downsampling block, then a plain one."""
    body = graph(
        [
            ("input", "Input", {}),
            ("block0", "Block", block(basic_block(channels, 2))),
            ("block1", "Block", block(basic_block(channels))),
        ]
    )
    return block(body)


def resnet18(classes: int = 10, shape=CIFAR) -> Graph:
    """torchvision's resnet18 (7x7 stem, max pool, four stages, average pool, fc) in blocks."""
    return graph(
        [
            ("input", "Input", shape),
            ("conv1", "Conv2d", conv(64, 7, 2, 3, bias=False)),
            ("bn1", "BatchNorm2d", {}),
            ("relu", "ReLU", {}),
            ("maxpool", "MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}),
            ("layer1", "Block", block(basic_block(64), repeat=2)),
            ("layer2", "Block", resnet_stage(128)),
            ("layer3", "Block", resnet_stage(256)),
            ("layer4", "Block", resnet_stage(512)),
            ("avgpool", "AdaptiveAvgPool2d", {"output_size": [1, 1]}),
            ("flatten", "Flatten", {}),
            ("fc", "Dense", {"units": classes}),
        ]
    )


VGG16_STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


def vgg16_features() -> Graph:
    """VGG16's convolutions (configuration D) as five blocks, in torchvision's order."""
    nodes: list = [("input", "Input", {})]
    for index, (channels, convs) in enumerate(VGG16_STAGES, start=1):
        inner: list = [("input", "Input", {})]
        inner += [(f"conv{i}", "Conv2d", relu_conv(channels, 3)) for i in range(1, convs + 1)]
        inner.append(("pool", "MaxPool2d", {}))
        nodes.append((f"block{index}", "Block", block(graph(inner))))
    return graph(nodes)


def vgg16_transfer() -> Graph:
    """VGG16's frozen convolutions (torchvision's weights load into them) and a new head."""
    return graph(
        [
            ("input", "Input", CIFAR),
            ("features", "Block", block(vgg16_features()), False),
            ("flatten", "Flatten", {}),
            ("fc1", "Dense", {"units": 256, "activation": "relu"}),
            ("dropout", "Dropout", {"rate": 0.5}),
            ("output", "Dense", {"units": 10}),
        ]
    )


def templates() -> dict[str, tuple[str, str, Callable[[], Graph], dict, dict]]:
    """name -> (title, description, graph maker, data, training), as make_templates.TEMPLATES."""
    return {
        "inception-block": (
            "Inception block",
            "GoogLeNet-style: 1x1, 3x3, 5x5 and pooling branches joined by Concatenate, in one "
            "reusable block whose branch widths are its own parameters",
            inception_block,
            CIFAR_DATA,
            TRAINING | {"epochs": 10, "batch_size": 200},
        ),
        "googlenet-stack": (
            "GoogLeNet-style stack",
            "Nine inception modules in three repeated blocks (2, 5, 2) with pooling between, "
            "for 3x32x32 images",
            googlenet_stack,
            CIFAR_DATA,
            TRAINING | {"epochs": 20},
        ),
        "resnet18": (
            "ResNet-18",
            "He et al.'s ResNet-18 as torchvision builds it, in blocks (layer1 repeats a basic "
            "block); 11,181,642 params for 10 classes, torchvision's own count",
            resnet18,
            CIFAR_DATA,
            TRAINING | {"epochs": 20},
        ),
        "vgg16-transfer": (
            "VGG16 transfer learning",
            "VGG16's convolutions frozen, a new Dense head for 10 classes of 3x32x32 images; "
            "load torchvision's VGG16 weights with train --init-from vgg16.pth",
            vgg16_transfer,
            CIFAR_DATA,
            TRAINING | {"epochs": 5},
        ),
    }
