"""Plain-language hints from the curves (no Qt): a loss that explodes, overfitting and
underfitting, gradients that explode or vanish (from the per-layer gradient norms the trainer
emits each epoch: training/grad_norms.py), with what to try."""

from __future__ import annotations

import math

MIN_EPOCHS = 5
EXPLODED = 100.0  # the training loss at this many times its first value (or NaN) has diverged
GRAD_GROWTH = 1000.0  # a layer's gradient norm this many times its first epoch's: exploding
GRAD_HUGE = 1e4  # a gradient norm above this: exploding, whatever it started at
GRAD_RATIO = 1e-4  # the first layer's norm below this fraction of the last layer's: vanishing


def fit_hint(history: list[dict[str, float]]) -> str:
    """A sentence for the learner, or "" when the curves look fine (or it is too early to say).

    `history` holds one mapping per epoch with Keras-style keys: loss, val_loss, accuracy, ...
    """
    if history and "d_real" in history[-1]:  # a GAN: its losses do not fall like others'
        return gan_hint(history)
    loss = [h.get("loss", math.nan) for h in history]
    exploding = _exploding(loss) or gradient_hint([h.get("grad_norms") or {} for h in history])
    if exploding:
        return exploding
    if len(history) < MIN_EPOCHS:
        return ""
    val = [h.get("val_loss", math.nan) for h in history]
    if _finite(val[-4:]) and _finite(loss[-4:]):
        best_val = min(v for v in val if math.isfinite(v))
        val_rising = val[-1] > val[-2] > val[-3] and val[-1] > best_val * 1.05
        train_falling = loss[-1] < loss[-3]
        if val_rising and train_falling:
            return (
                "Overfitting: the validation loss is rising while the training loss still falls. "
                "Try dropout, L2 regularisation, early stopping, a smaller network or more data."
            )
    window = loss[-MIN_EPOCHS:]
    if _finite(window) and len(history) >= 2 * MIN_EPOCHS:
        change = (window[0] - window[-1]) / max(abs(window[0]), 1e-12)
        accuracy = history[-1].get("accuracy")
        if change < 0.01 and accuracy is not None and accuracy < 0.7:
            return (
                "Underfitting: the training loss has stopped falling while accuracy is low. "
                "Try more units or layers, a higher learning rate, or training longer."
            )
    return ""


def _exploding(loss: list[float]) -> str:
    """Checked first: a diverging run also looks "underfit", and more learning rate is the
    opposite of what it needs."""
    if len(loss) < 2 or not math.isfinite(loss[0]):
        return ""
    last = loss[-1]
    if math.isfinite(last) and abs(last) < EXPLODED * max(abs(loss[0]), 1e-12):
        return ""
    shown = f"{last:.3g}" if math.isfinite(last) else "NaN"
    return (
        f"Diverging: the training loss went from {loss[0]:.3g} to {shown}. Lower the learning "
        "rate (try 10x smaller), clip the gradients, or standardise the inputs."
    )


def _finite(values: list[float]) -> bool:
    return bool(values) and all(math.isfinite(v) for v in values)


def gradient_hint(norms: list[dict[str, float]]) -> str:
    """A sentence when the per-layer gradient norms (one {node: norm} per epoch, in the graph's
    order) explode or vanish, else ""."""
    norms = [n for n in norms if n]
    if not norms:
        return ""
    last = norms[-1]
    for node, value in last.items():
        first = norms[0].get(node, math.nan)
        grew = math.isfinite(first) and first > 0 and value > GRAD_GROWTH * first
        if not math.isfinite(value) or value > GRAD_HUGE or grew:
            return (
                f"Exploding gradients: the gradient norm of '{node}' is {value:.3g}"
                + (f" (it started at {first:.3g})" if grew else "")
                + ". Clip the gradients (by norm, e.g. 1.0), lower the learning rate, or add "
                "normalisation."
            )
    values = [v for v in last.values() if math.isfinite(v)]
    nodes = list(last)
    if len(values) >= 2 and len(norms) >= 2:
        head, tail = last[nodes[0]], last[nodes[-1]]
        if tail > 0 and head < GRAD_RATIO * tail:
            return (
                f"Vanishing gradients: '{nodes[0]}' gets gradients {head:.2g}, {tail / max(head, 1e-30):.0e} "
                f"times smaller than '{nodes[-1]}', so it hardly learns. Try ReLU instead of "
                "sigmoid/tanh, normalisation or skip connections (and LSTM or GRU layers where a "
                "SimpleRNN reads long sequences)."
            )
    return ""


COLLAPSED = 0.2  # samples this much less varied than the data (2 epochs running): collapse
D_WINS = 0.95  # D(real) above this and D(fake) below 1 - this: the generator learns nothing


def gan_hint(history: list[dict[str, float]]) -> str:
    """Mode collapse (the fixed-noise samples lose their variety) or a discriminator that wins
    outright, from a GAN's epoch figures (gan_step.py); "" when neither shows."""
    recent = history[-2:]
    if len(recent) == 2 and all(
        h.get("sample_diversity", 1.0) < COLLAPSED * h.get("data_diversity", 0.0) for h in recent
    ):
        return (
            "Mode collapse: the generated samples have become nearly alike (their variety is "
            "under a fifth of the data's). Try a lower generator learning rate, label "
            "smoothing, or more discriminator steps per generator step."
        )
    last = history[-1]
    if "wasserstein" in last:  # a WGAN critic's scores are not probabilities
        return ""
    if last.get("d_real", 0.5) > D_WINS and last.get("d_fake", 0.5) < 1 - D_WINS:
        return (
            "The discriminator wins outright (D(real) near 1, D(fake) near 0), so the generator "
            "gets little to learn from. Try label smoothing, a lower discriminator learning "
            "rate, or a smaller discriminator."
        )
    return ""
