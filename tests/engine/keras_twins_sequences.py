"""Keras 3 twins of the sequence and text templates (imported into test_keras_parity's
KERAS_TWINS). Channels first like our data: (channels, steps) series, token ids for text.
Permute((2, 1)) turns (channels, steps) into the (steps, features) that Keras' RNNs read."""

from __future__ import annotations

import keras_oracle as ko

keras = ko.keras
L = keras.layers
CF = {"data_format": "channels_first"}


def _chain(inputs, layers):
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def gru_sequence_classifier():
    return _chain(
        keras.Input((1, 150)),
        [
            L.Conv1D(32, 7, strides=3, activation="relu", name="conv", **CF),
            L.Permute((2, 1), name="steps"),
            L.GRU(32, name="gru"),
            L.Dense(2, name="output"),
        ],
    )


def conv1d_sequence_classifier():
    return _chain(
        keras.Input((1, 150)),
        [
            L.Conv1D(32, 7, padding="same", activation="relu", name="conv1", **CF),
            L.MaxPooling1D(2, name="pool1", **CF),
            L.Conv1D(32, 5, padding="same", activation="relu", name="conv2", **CF),
            L.MaxPooling1D(2, name="pool2", **CF),
            L.Flatten(name="flatten"),
            L.Dropout(0.3, name="dropout"),
            L.Dense(2, name="output"),
        ],
    )


def lstm_forecast():
    inputs = keras.Input((1, 12))
    recurrent = L.LSTM(32, name="lstm")(L.Permute((2, 1), name="steps")(inputs))
    nonlinear = L.Dense(1, name="nonlinear")(recurrent)
    linear = L.Dense(1, name="linear")(L.Flatten(name="flatten")(inputs))
    return keras.Model(inputs, L.Add(name="output")([nonlinear, linear]))


def text_sentiment():
    return _chain(
        keras.Input((40,), dtype="int64"),
        [
            L.Embedding(1000, 64, name="embedding"),
            L.SpatialDropout1D(0.2, name="worddrop"),
            L.Bidirectional(L.LSTM(32, return_sequences=True), name="bilstm"),
            L.GlobalMaxPooling1D(name="pool"),  # channels last: the max over the steps
            L.Dropout(0.5, name="dropout"),
            L.Dense(3, name="output"),
        ],
    )


SEQUENCE_TWINS = {
    "gru-sequence-classifier": gru_sequence_classifier,
    "conv1d-sequence-classifier": conv1d_sequence_classifier,
    "lstm-forecast": lstm_forecast,
    "text-sentiment": text_sentiment,
}
