"""Keras 3 twins of the templates built from blocks (imported into test_keras_parity's
KERAS_TWINS). A layer inside a block is named by its path with `_` (`inception_branch1x1`,
repeats `inception4_0_branch1x1`), as `weighted_paths` lists them for copying the weights."""

from __future__ import annotations

import keras_oracle as ko

keras = ko.keras
L = keras.layers
CF = {"data_format": "channels_first"}
BN = {"axis": 1, "epsilon": 1e-5, "momentum": 0.9}  # PyTorch's defaults, as ours hold them


def weighted_paths(graph, prefix: str = "") -> dict[str, str]:
    """{module path: layer type} of every weighted layer, blocks' (and repeats') inside too."""
    kinds = ("Dense", "Conv", "BatchNorm", "LSTM", "GRU", "SimpleRNN", "Embedding")
    found = {}
    for node in graph.nodes.values():
        path = f"{prefix}{node.id}"
        if node.type == "Block":
            repeat = node.params["repeat"]
            copies = [f"{path}."] if repeat == 1 else [f"{path}.{i}." for i in range(repeat)]
            for copy in copies:
                found |= weighted_paths(node.params["graph"], copy)
        elif node.type.startswith(kinds):
            found[path] = node.type
    return found


def _conv(name, filters, kernel, activation="relu", padding="same", **extra):
    return L.Conv2D(
        filters, kernel, padding=padding, activation=activation, name=name, **CF, **extra
    )


def inception(x, name: str, widths=(16, 16, 24, 8, 8, 8)):
    b1, r3, b3, r5, b5, proj = widths
    one = _conv(f"{name}_branch1x1", b1, 1)(x)
    three = _conv(f"{name}_branch3x3", b3, 3)(_conv(f"{name}_reduce3x3", r3, 1)(x))
    five = _conv(f"{name}_branch5x5", b5, 5)(_conv(f"{name}_reduce5x5", r5, 1)(x))
    # PyTorch's MaxPool2d(3, stride 1, padding 1) pads with -inf: Keras' "same" max pooling.
    pooled = L.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool", **CF)(x)
    proj_out = _conv(f"{name}_pool_proj", proj, 1)(pooled)
    return L.Concatenate(axis=1, name=f"{name}_concat")([one, three, five, proj_out])


def inception_block():
    inputs = keras.Input((3, 32, 32))
    x = inception(_conv("stem", 32, 3)(inputs), "inception")
    x = L.GlobalAveragePooling2D(name="gap", **CF)(x)
    return keras.Model(inputs, L.Dense(10, name="output")(x))


def googlenet_stack():
    inputs = keras.Input((3, 32, 32))
    x = _conv("stem", 64, 3)(inputs)
    for stage, repeat in (("inception3", 2), ("inception4", 5), ("inception5", 2)):
        for index in range(repeat):
            x = inception(x, f"{stage}_{index}", (16, 24, 32, 8, 8, 8))
        if stage != "inception5":
            x = L.MaxPooling2D(2, name=f"pool{stage[-1]}", **CF)(x)
    x = L.GlobalAveragePooling2D(name="gap", **CF)(x)
    x = L.Dropout(0.4, name="dropout")(x)
    return keras.Model(inputs, L.Dense(10, name="output")(x))


def _conv_bn(x, name: str, bn: str, filters: int, kernel: int, stride: int, pad: int):
    if pad:
        x = L.ZeroPadding2D(pad, name=f"{name}_pad", **CF)(x)
    x = L.Conv2D(filters, kernel, strides=stride, use_bias=False, name=name, **CF)(x)
    return L.BatchNormalization(name=bn, **BN)(x)


def _basic(x, name: str, filters: int, stride: int):
    down = stride != 1
    inner = f"{name}_residual_" if down else f"{name}_"
    y = _conv_bn(x, f"{inner}conv1", f"{inner}bn1", filters, 3, stride, 1)
    y = _conv_bn(L.ReLU(name=f"{inner}relu")(y), f"{inner}conv2", f"{inner}bn2", filters, 3, 1, 1)
    if down:
        x = _conv_bn(x, f"{name}_downsample_conv", f"{name}_downsample_bn", filters, 1, 2, 0)
    return L.ReLU(name=f"{name}_relu_out")(L.Add(name=f"{name}_add")([y, x]))


def resnet18():
    inputs = keras.Input((3, 32, 32))
    x = L.ReLU(name="relu")(_conv_bn(inputs, "conv1", "bn1", 64, 7, 2, 3))
    # After a ReLU every value is >= 0, so zero padding pools as PyTorch's -inf padding does.
    x = L.MaxPooling2D(3, strides=2, name="maxpool", **CF)(L.ZeroPadding2D(1, **CF)(x))
    x = _basic(_basic(x, "layer1_0", 64, 1), "layer1_1", 64, 1)
    for stage, filters in (("layer2", 128), ("layer3", 256), ("layer4", 512)):
        x = _basic(_basic(x, f"{stage}_block0", filters, 2), f"{stage}_block1", filters, 1)
    x = L.GlobalAveragePooling2D(name="avgpool", **CF)(x)
    return keras.Model(inputs, L.Dense(10, name="fc")(x))


def vgg16_transfer():
    inputs = keras.Input((3, 32, 32))
    x = inputs
    for block, (filters, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), 1):
        for index in range(1, convs + 1):
            name = f"features_block{block}_conv{index}"
            x = _conv(name, filters, 3, trainable=False)(x)  # frozen, as the template's block
        x = L.MaxPooling2D(2, name=f"features_block{block}_pool", **CF)(x)
    x = L.Dense(256, activation="relu", name="fc1")(L.Flatten(name="flatten")(x))
    return keras.Model(inputs, L.Dense(10, name="output")(L.Dropout(0.5, name="dropout")(x)))


BLOCK_TWINS = {
    "inception-block": inception_block,
    "googlenet-stack": googlenet_stack,
    "resnet18": resnet18,
    "vgg16-transfer": vgg16_transfer,
}
