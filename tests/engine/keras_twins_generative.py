"""Keras 3 twins of the generative templates (imported into test_keras_parity's KERAS_TWINS):
the autoencoders, the VAE (its Sampling layer answers the mean at inference, as ours does), and
the generators of the two GANs (a GAN template's model is its generator). Channels first."""

from __future__ import annotations

import keras_oracle as ko
from keras_twins_sequences import CF, L, _chain

keras = ko.keras


def conv_autoencoder():
    return _chain(
        keras.Input((1, 28, 28)),
        [
            L.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="encode1", **CF),
            L.Conv2D(32, 3, strides=2, padding="same", activation="relu", name="bottleneck", **CF),
            L.Conv2DTranspose(16, 2, strides=2, activation="relu", name="decode1", **CF),
            L.Conv2DTranspose(1, 2, strides=2, name="pixels", **CF),
            L.Activation("sigmoid", name="sigmoid"),
        ],
    )


class SamplingMean(L.Layer):
    """Keras' usual VAE sampling layer at inference: the mean (z_log_var only matters in
    training, where a sample is drawn)."""

    def call(self, inputs):
        z_mean, _z_log_var = inputs
        return z_mean


def vae_mnist():
    inputs = keras.Input((1, 28, 28))
    hidden = L.Dense(256, activation="relu", name="encode")(L.Flatten(name="flatten")(inputs))
    z_mean = L.Dense(2, name="z_mean")(hidden)
    z_log_var = L.Dense(2, name="z_log_var")(hidden)
    z = SamplingMean(name="z")([z_mean, z_log_var])
    x = L.Dense(256, activation="relu", name="decode")(z)
    x = L.Reshape((1, 28, 28), name="image")(L.Dense(784, name="pixels")(x))
    return keras.Model(inputs, L.Activation("sigmoid", name="sigmoid")(x))


def gan_ring_generator():
    return _chain(
        keras.Input((2,)),
        [
            L.Dense(64, activation="relu", name="hidden1"),
            L.Dense(64, activation="relu", name="hidden2"),
            L.Dense(2, name="point"),
        ],
    )


def tabular_anomaly():
    return _chain(
        keras.Input((4,)),
        [
            L.Dense(8, activation="tanh", name="encode"),
            L.Dense(2, name="bottleneck"),
            L.Dense(8, activation="tanh", name="decode"),
            L.Dense(4, name="reconstruction"),
        ],
    )


def _norm(name):  # PyTorch's BatchNorm2d defaults: eps 1e-5, momentum 0.1 (Keras' 0.9)
    return L.BatchNormalization(axis=1, epsilon=1e-5, momentum=0.9, name=name)


def dcgan_mnist_generator():
    return _chain(
        keras.Input((64,)),
        [
            L.Dense(3136, name="project"),
            L.Reshape((64, 7, 7), name="maps"),
            _norm("norm1"),
            L.ReLU(name="relu1"),
            L.Conv2DTranspose(32, 4, strides=2, padding="same", name="up1", **CF),
            _norm("norm2"),
            L.ReLU(name="relu2"),
            L.Conv2DTranspose(1, 4, strides=2, padding="same", name="up2", **CF),
            L.Activation("sigmoid", name="pixels"),
        ],
    )


def cgan_mnist_generator():
    """Code and one-hot class joined, then the DCGAN generator."""
    code, label = keras.Input((64,)), keras.Input((10,))
    x = L.Concatenate(axis=1, name="join")([code, label])
    for layer in dcgan_mnist_generator().layers[1:]:
        x = type(layer).from_config(layer.get_config())(x)
    return keras.Model([code, label], x)


GENERATIVE_TWINS = {
    "conv-autoencoder": conv_autoencoder,
    "denoising-autoencoder": conv_autoencoder,  # the same network, trained on noisy inputs
    "vae-mnist": vae_mnist,
    "gan-ring": gan_ring_generator,
    "tabular-anomaly": tabular_anomaly,
    "dcgan-mnist": dcgan_mnist_generator,
    "cgan-mnist": cgan_mnist_generator,
}
