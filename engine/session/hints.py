"""Plain-language hints from the curves (no Qt): a loss that explodes, overfitting and
underfitting, with what to try."""

from __future__ import annotations

import math

MIN_EPOCHS = 5
EXPLODED = 100.0  # the training loss at this many times its first value (or NaN) has diverged


def fit_hint(history: list[dict[str, float]]) -> str:
    """A sentence for the learner, or "" when the curves look fine (or it is too early to say).

    `history` holds one mapping per epoch with Keras-style keys: loss, val_loss, accuracy, ...
    """
    loss = [h.get("loss", math.nan) for h in history]
    exploding = _exploding(loss)
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
