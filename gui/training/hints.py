"""Plain-language hints from the curves (no Qt): overfitting and underfitting, with what to try."""

from __future__ import annotations

import math

MIN_EPOCHS = 5


def fit_hint(history: list[dict[str, float]]) -> str:
    """A sentence for the learner, or "" when the curves look fine (or it is too early to say).

    `history` holds one mapping per epoch with Keras-style keys: loss, val_loss, accuracy, ...
    """
    if len(history) < MIN_EPOCHS:
        return ""
    loss = [h.get("loss", math.nan) for h in history]
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


def _finite(values: list[float]) -> bool:
    return bool(values) and all(math.isfinite(v) for v in values)
