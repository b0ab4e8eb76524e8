"""Templates from the Keras-parity issue (tools/make_templates.py writes them with the others):
VGG16 as Keras and torchvision ship it, and two text classifiers over token ids.

The text templates read a CSV/TSV of labelled texts (here the drug reviews' layout: a `review`
column and a `rating` label); point their Data at your own file. Input length and Embedding size
follow the tokenizer settings (`length`, `vocab_size`), so they must change together.
"""

from __future__ import annotations

from collections.abc import Callable

from neurocanvas.engine.graph import Graph

VOCAB, LENGTH, WIDTH = 5000, 128, 32
TEXT_INPUT = {"shape": [LENGTH], "dtype": "int64"}
TEXT_DATA = {
    "source": "drug_reviews_train.tsv",
    "test_source": "drug_reviews_test.tsv",
    "target": "rating",
    "params": {"layout": "text", "text": "review", "vocab_size": VOCAB, "length": LENGTH},
    "split": [0.85, 0.15, 0.0],
    "seed": 0,
}
TEXT_TRAINING = {
    "optimizer": {"type": "Adam", "lr": 0.001},
    "loss": "auto",
    "epochs": 15,
    "batch_size": 32,
}
EMBEDDING = {"num_embeddings": VOCAB, "embedding_dim": WIDTH}


def vgg16_layers() -> list:
    """Simonyan and Zisserman's configuration D, as keras.applications.VGG16 (include_top)."""
    layers: list = [("input", "Input", {"shape": [3, 224, 224]})]
    for block, (channels, convs) in enumerate(
        ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), start=1
    ):
        for index in range(1, convs + 1):
            params = {"out_channels": channels, "kernel_size": 3, "padding": "same"}
            layers.append((f"block{block}_conv{index}", "Conv2d", params | {"activation": "relu"}))
        layers.append((f"block{block}_pool", "MaxPool2d", {}))
    return layers + [
        ("flatten", "Flatten", {}),
        ("fc1", "Dense", {"units": 4096, "activation": "relu"}),
        ("fc2", "Dense", {"units": 4096, "activation": "relu"}),
        ("predictions", "Dense", {"units": 1000, "activation": "softmax"}),
    ]


def bilstm_text_layers() -> list:
    return [
        ("input", "Input", TEXT_INPUT),
        ("tokens", "Embedding", EMBEDDING),
        ("bilstm", "LSTM", {"hidden_size": WIDTH, "bidirectional": True}),
        ("dropout", "Dropout", {"rate": 0.3}),
        ("output", "Dense", {"units": "auto"}),
    ]


def text_transformer_layers() -> list:
    return [
        ("input", "Input", TEXT_INPUT),
        ("tokens", "Embedding", EMBEDDING),
        ("positions", "PositionalEmbedding", {"kind": "learned"}),
        ("encoder", "TransformerEncoder", {"num_heads": 2, "feedforward": 64, "dropout": 0.1}),
        ("steps_last", "Permute", {"dims": [2, 1]}),
        ("pool", "GlobalAvgPool1d", {}),
        ("dropout", "Dropout", {"rate": 0.1}),
        ("output", "Dense", {"units": "auto"}),
    ]


def templates(build: Callable[[list], Graph]) -> dict[str, tuple]:
    """name -> (title, description, graph maker, data, training), as make_templates.TEMPLATES."""

    def graph(layers):
        return lambda: build(layers())

    return {
        "vgg16": (
            "VGG16",
            "Simonyan and Zisserman's 16-layer VGG for 224x224 colour images and 1000 classes "
            "(138,357,544 params, as keras.applications.VGG16); builds without weights",
            graph(vgg16_layers),
            {"source": "images", "params": {"size": [224, 224]}, "split": [0.7, 0.15, 0.15]},
            {
                "optimizer": {"type": "SGD", "lr": 0.01, "momentum": 0.9},
                "loss": "auto",
                "epochs": 10,
                "batch_size": 32,
            },
        ),
        "bilstm-text": (
            "BiLSTM text classifier",
            "Token ids -> Embedding 32 -> bidirectional LSTM 32 -> Dense: reads a text both "
            "ways (CSV/TSV of texts and labels)",
            graph(bilstm_text_layers),
            TEXT_DATA,
            TEXT_TRAINING,
        ),
        "text-transformer": (
            "Transformer text classifier",
            "Token ids -> Embedding + learned positions -> TransformerEncoder (2 heads) -> "
            "average over the words -> Dense (CSV/TSV of texts and labels)",
            graph(text_transformer_layers),
            TEXT_DATA,
            TEXT_TRAINING,
        ),
    }
