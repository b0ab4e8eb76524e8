"""What `auto` resolves to for each template whose Input is auto, in the tests that build every
template without its data: the sizes of the data the template ships with (a table of 4 features
and 3 classes for the others)."""

from __future__ import annotations

from neurocanvas.engine.shapes import AutoSizes

TABLE = AutoSizes(input_shape=(4,), output_units=3)
# GunPoint: 1 channel x 150 steps, 2 classes; airline: a window of 12 months -> 1 value;
# drug reviews: 40 token ids (int64) -> 3 classes.
TEMPLATE_SIZES = {
    "gru-sequence-classifier": AutoSizes(input_shape=(1, 150), output_units=2),
    "conv1d-sequence-classifier": AutoSizes(input_shape=(1, 150), output_units=2),
    "lstm-forecast": AutoSizes(input_shape=(1, 12), output_units=1),
    "text-sentiment": AutoSizes(input_shape=(40,), output_units=3, input_dtype="int64"),
    # Token ids of a fixed length (the template's Input), classes from the data.
    "bilstm-text": AutoSizes(output_units=3),
    "text-transformer": AutoSizes(output_units=3),
}


def auto_for(name: str, graph=None) -> AutoSizes | None:
    """The template's sizes; TABLE for another template with an auto Input, else None."""
    if name in TEMPLATE_SIZES:
        return TEMPLATE_SIZES[name]
    if graph is not None and any(v == "auto" for n in graph for v in n.params.values()):
        return TABLE
    return None
