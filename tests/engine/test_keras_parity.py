"""Every template rebuilt by hand in Keras 3: the same total / trainable / non-trainable counts as
Keras' model.summary(), and the same outputs once our weights are copied into the Keras model.

The Keras models are channels first (what NeuroCanvas draws), so Flatten orders values alike and
only the weight layout differs (keras_oracle.copy_weights). Layer names are the template's node
ids. A new template without a Keras twin here fails `test_every_template_has_a_keras_twin`.
"""

import keras_oracle as ko
import pytest
import torch
from keras_twins_blocks import BLOCK_TWINS, weighted_paths
from keras_twins_generative import GENERATIVE_TWINS
from keras_twins_sequences import SEQUENCE_TWINS
from neurocanvas.engine import templates
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.summary import summarize
from template_sizes import TEMPLATE_SIZES

keras = ko.keras
L = keras.layers
CF = {"data_format": "channels_first"}
AUTO = {"tabular-mlp": AutoSizes(input_shape=(4,), output_units=3), **TEMPLATE_SIZES}


def _chain(inputs, layers):
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def _conv(name, filters, kernel, activation="relu", padding="valid"):
    return L.Conv2D(filters, kernel, padding=padding, activation=activation, name=name, **CF)


def _pool(name):
    return L.MaxPooling2D(2, name=name, **CF)


def seed_mlp():
    return _chain(
        keras.Input((1, 28, 28)),
        [
            L.Flatten(name="flatten"),
            L.Dense(512, activation="relu", name="dense1"),
            L.Dense(32, activation="relu", name="dense2"),
            L.Dense(10, activation="softmax", name="output"),
        ],
    )


def seed_cnn(second_conv=False):
    layers = [_conv("conv1", 16, 5), _pool("pool1")]
    if second_conv:
        layers += [_conv("conv2", 8, 2), _pool("pool2")]
    layers += [
        L.Flatten(name="flatten"),
        L.Dense(100, activation="relu", name="dense1"),
        L.Dense(10, activation="softmax", name="output"),
    ]
    return _chain(keras.Input((1, 28, 28)), layers)


def xor():
    return _chain(
        keras.Input((2,)),
        [
            L.Dense(4, activation="tanh", name="hidden"),
            L.Dense(1, activation="sigmoid", name="output"),
        ],
    )


def tabular_mlp():
    return _chain(
        keras.Input((4,)),
        [
            L.Dense(64, activation="relu", name="dense1"),
            L.Dropout(0.2, name="dropout1"),
            L.Dense(32, activation="relu", name="dense2"),
            L.Dropout(0.2, name="dropout2"),
            L.Dense(3, name="output"),
        ],
    )


def mnist_quickstart():
    return _chain(
        keras.Input((1, 28, 28)),
        [
            L.Flatten(name="flatten"),
            L.Dense(128, activation="relu", name="dense1"),
            L.Dropout(0.2, name="dropout"),
            L.Dense(10, name="output"),
        ],
    )


def lstm_classifier():
    return _chain(
        keras.Input((1, 28, 28)),
        [L.Reshape((28, 28), name="rows"), L.LSTM(64, name="lstm"), L.Dense(10, name="output")],
    )


def dense_autoencoder():
    return _chain(
        keras.Input((1, 28, 28)),
        [
            L.Flatten(name="flatten"),
            L.Dense(128, activation="relu", name="encode"),
            L.Dense(32, activation="relu", name="bottleneck"),
            L.Dense(128, activation="relu", name="decode"),
            L.Dense(784, activation="sigmoid", name="pixels"),
            L.Reshape((1, 28, 28), name="image"),
        ],
    )


def residual_cnn():
    inputs = keras.Input((1, 28, 28))
    stem = _conv("stem", 16, 3, padding="same")(inputs)
    x = _conv("res_conv1", 16, 3, padding="same")(stem)
    x = _conv("res_conv2", 16, 3, activation=None, padding="same")(x)
    x = L.ReLU(name="relu")(L.Add(name="skip_add")([x, stem]))
    x = L.GlobalAveragePooling2D(name="gap", **CF)(_pool("pool")(x))
    return keras.Model(inputs, L.Dense(10, name="output")(x))


def vgg_cifar10():
    layers = []
    for block, channels in enumerate((32, 64, 128), start=1):
        layers += [
            _conv(f"conv{block}a", channels, 3, padding="same"),
            # PyTorch's defaults (eps 1e-5, momentum 0.1 = Keras 0.9) as our BatchNorm2d holds them
            L.BatchNormalization(axis=1, epsilon=1e-5, momentum=0.9, name=f"bn{block}"),
            _conv(f"conv{block}b", channels, 3, padding="same"),
            _pool(f"pool{block}"),
        ]
    layers += [
        L.Flatten(name="flatten"),
        L.Dense(128, activation="relu", name="dense1"),
        L.Dropout(0.5, name="dropout"),
        L.Dense(10, activation="softmax", name="output"),
    ]
    return _chain(keras.Input((3, 32, 32)), layers)


def lenet5():
    layers = [
        _conv("conv1", 6, 5, "tanh", "same"),
        L.AveragePooling2D(2, name="pool1", **CF),
        _conv("conv2", 16, 5, "tanh"),
        L.AveragePooling2D(2, name="pool2", **CF),
        L.Flatten(name="flatten"),
        L.Dense(120, activation="tanh", name="dense1"),
        L.Dense(84, activation="tanh", name="dense2"),
        L.Dense(10, activation="softmax", name="output"),
    ]
    return _chain(keras.Input((1, 28, 28)), layers)


def _bn(name):
    return L.BatchNormalization(axis=1, epsilon=1e-5, momentum=0.9, name=name)


def resnet_block():
    inputs = keras.Input((3, 32, 32))
    x = L.ReLU(name="stem_relu")(_bn("stem_bn")(_plain_conv("stem")(inputs)))
    y = L.ReLU(name="relu1")(_bn("bn1")(_plain_conv("conv1")(x)))
    y = _bn("bn2")(_plain_conv("conv2")(y))
    y = L.ReLU(name="relu2")(L.Add(name="skip_add")([y, x]))
    y = L.GlobalAveragePooling2D(name="gap", **CF)(y)
    return keras.Model(inputs, L.Dense(10, name="output")(y))


def _plain_conv(name):
    return L.Conv2D(16, 3, padding="same", use_bias=False, name=name, **CF)


def vgg16():
    """keras.applications.VGG16's layers (its names), channels first."""
    layers = []
    for block, (channels, convs) in enumerate(
        ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), start=1
    ):
        layers += [
            _conv(f"block{block}_conv{i}", channels, 3, padding="same") for i in range(1, convs + 1)
        ]
        layers.append(_pool(f"block{block}_pool"))
    layers += [
        L.Flatten(name="flatten"),
        L.Dense(4096, activation="relu", name="fc1"),
        L.Dense(4096, activation="relu", name="fc2"),
        L.Dense(1000, activation="softmax", name="predictions"),
    ]
    return _chain(keras.Input((3, 224, 224)), layers)


def bilstm_text():
    inputs = keras.Input((128,), dtype="int64")
    x = L.Embedding(5000, 32, name="tokens")(inputs)
    x = L.Dropout(0.3, name="dropout")(L.Bidirectional(L.LSTM(32), name="bilstm")(x))
    return keras.Model(inputs, L.Dense(3, name="output")(x))


def text_transformer():
    inputs = keras.Input((128,), dtype="int64")
    x = ko.Positions(name="positions")(L.Embedding(5000, 32, name="tokens")(inputs))
    x = L.GlobalAveragePooling1D(name="pool")(ko.encoder(x, "encoder", 2, 64))  # over the steps
    x = L.Dropout(0.1, name="dropout")(x)
    return keras.Model(inputs, L.Dense(3, name="output")(x))


KERAS_TWINS = {
    "seed-mlp": seed_mlp,
    "seed-cnn": seed_cnn,
    "seed-cnn2": lambda: seed_cnn(second_conv=True),
    "xor": xor,
    "tabular-mlp": tabular_mlp,
    "mnist-quickstart": mnist_quickstart,
    "lstm-classifier": lstm_classifier,
    "dense-autoencoder": dense_autoencoder,
    "residual-cnn": residual_cnn,
    "vgg-cifar10": vgg_cifar10,
    "lenet5": lenet5,
    "resnet-block": resnet_block,
    "vgg16": vgg16,
    "bilstm-text": bilstm_text,
    "text-transformer": text_transformer,
    **SEQUENCE_TWINS,
    **GENERATIVE_TWINS,
    **BLOCK_TWINS,
}
# The issue's reference figures from Keras' model.summary(), beside the models built above.
KERAS_FIGURES = {
    "vgg-cifar10": (551_466, 551_018, 448),
    "lstm-classifier": (24_458, 24_458, 0),
    "lenet5": (61_706, 61_706, 0),
    "vgg16": (138_357_544, 138_357_544, 0),
}


# Templates whose layers Keras lacks, with the reason (Keras export refuses them by name too).
NO_KERAS_TWIN = {"rbm-features-mnist": "Keras has no restricted Boltzmann machine layer"}


def test_every_template_has_a_keras_twin():
    names = sorted(t.name for t in templates.list_templates())
    assert sorted([*KERAS_TWINS, *NO_KERAS_TWIN]) == names


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(KERAS_TWINS))
def test_template_counts_and_outputs_match_keras(name):
    graph = templates.load_template(name).graph
    auto = AUTO.get(name)
    keras_model = KERAS_TWINS[name]()
    assert ko.ours(summarize(graph, auto)) == ko.counts(keras_model)
    if name in KERAS_FIGURES:
        assert ko.counts(keras_model) == KERAS_FIGURES[name]

    model = compile_graph(graph, auto, seed=0)
    ko.randomise_statistics(model)
    for path, kind in weighted_paths(graph).items():  # blocks' layers by path: res1_conv1
        weights = ko.keras_weights(model.get_submodule(path), kind)
        keras_model.get_layer(path.replace(".", "_")).set_weights(weights)
    for node in graph.nodes.values():
        if node.type == "TransformerEncoder":
            ko.copy_encoder(model.get_submodule(node.id), keras_model, node.id)
        if node.type == "PositionalEmbedding":
            weights = [ko._np(model.get_submodule(node.id).weight)]
            keras_model.get_layer(node.id).set_weights(weights)
    source = graph.input_nodes()[0].params
    shape = auto.input_shape if auto and auto.input_shape else tuple(source["shape"])
    generator = torch.Generator().manual_seed(0)
    token_ids = source.get("dtype") == "int64" or (auto is not None and auto.input_dtype == "int64")
    if token_ids:  # below every template's vocabulary size
        x = torch.randint(0, 100, (5, *shape), generator=generator)
    else:
        x = torch.randn(5, *shape, generator=generator)
    # A conditional generator's other Inputs (its one-hot class) get values of their own shape
    others = [
        torch.randn(5, *n.params["shape"], generator=generator) for n in graph.input_nodes()[1:]
    ]
    assert ko.max_difference(model, keras_model, [x, *others]) < 1e-5


def test_bilstm_text_classifier_matches_keras():
    """Token ids -> Embedding(1000, 16) -> Bidirectional(LSTM(8)) -> Dense(1, sigmoid):
    16,000 + 2 x 4 x 8 x (16 + 8 + 1) + 17."""
    from neurocanvas.engine.graph import chain

    graph = chain(
        ("Input", {"shape": [12], "dtype": "int64"}),
        ("Embedding", {"num_embeddings": 1000, "embedding_dim": 16}),
        ("LSTM", {"hidden_size": 8, "bidirectional": True}),
        ("Dense", {"units": 1, "activation": "sigmoid"}),
    )
    ids = {n.type: n.id for n in graph.nodes.values()}
    inputs = keras.Input((12,), dtype="int64")
    x = L.Embedding(1000, 16, name=ids["Embedding"])(inputs)
    x = L.Bidirectional(L.LSTM(8), name=ids["LSTM"])(x)
    keras_model = keras.Model(inputs, L.Dense(1, activation="sigmoid", name=ids["Dense"])(x))
    assert ko.ours(summarize(graph)) == ko.counts(keras_model) == (17_617, 17_617, 0)
    model = compile_graph(graph, seed=0)
    ko.copy_weights(model, keras_model, {ids[t]: t for t in ("Embedding", "LSTM", "Dense")})
    tokens = torch.randint(0, 1000, (6, 12), generator=torch.Generator().manual_seed(0))
    assert ko.max_difference(model, keras_model, [tokens]) < 1e-5


@pytest.mark.slow
def test_vgg16_counts_like_keras_applications():
    """VGG16 at 224x224x3 with 1000 classes: keras.applications.VGG16 (no weights downloaded)."""
    from neurocanvas.engine.graph import chain

    layers = [("Input", {"shape": [3, 224, 224]})]
    for channels, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        conv = {"out_channels": channels, "padding": "same", "activation": "relu"}
        layers += [("Conv2d", conv)] * convs + [("MaxPool2d", {})]
    layers += ["Flatten", ("Dense", {"units": 4096, "activation": "relu"})]
    layers += [("Dense", {"units": 4096, "activation": "relu"})]
    layers += [("Dense", {"units": 1000, "activation": "softmax"})]
    reference = keras.applications.VGG16(weights=None)
    assert ko.ours(summarize(chain(*layers))) == ko.counts(reference) == (138_357_544,) * 2 + (0,)
