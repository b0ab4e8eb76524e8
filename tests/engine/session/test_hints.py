"""Plain-language hints from the curves: overfitting, underfitting, a diverging loss."""

from neurocanvas.engine.session.hints import fit_hint


def test_fit_hint_spots_overfitting_and_underfitting():
    falling = [{"loss": 1.0 / e, "val_loss": 1.0 / e} for e in range(1, 8)]
    assert fit_hint(falling) == ""
    overfit = falling[:4] + [
        {"loss": 0.1, "val_loss": 0.3},
        {"loss": 0.09, "val_loss": 0.4},
        {"loss": 0.08, "val_loss": 0.5},
    ]
    assert "Overfitting" in fit_hint(overfit) and "dropout" in fit_hint(overfit)
    flat = [{"loss": 0.69, "accuracy": 0.5} for _ in range(12)]
    assert "Underfitting" in fit_hint(flat)
    assert fit_hint([{"loss": float("nan")}] * 12) == ""


def test_fit_hint_calls_an_exploding_loss_diverging_not_underfitting():
    # SGD at learning rate 100: the loss shoots up and accuracy stays at chance.
    history = [{"loss": 0.7, "accuracy": 0.5}] + [{"loss": 8e24, "accuracy": 0.5}] * 11
    hint = fit_hint(history)
    assert hint.startswith("Diverging") and "Lower the learning rate" in hint
    assert "higher learning rate" not in hint
    assert fit_hint([{"loss": 0.7}, {"loss": float("nan")}]).startswith("Diverging")
    assert fit_hint([{"loss": 0.7}, {"loss": 5.0}]) == ""  # worse, but not diverging
