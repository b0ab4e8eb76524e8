"""One inspection view as a picture and its numbers, for the window (each view the CLI writes as
files): feature maps, filters, saliency / Integrated Gradients / Grad-CAM over the input,
activation statistics and the projector. `render(inspected, view, node, sample)` -> `Rendered`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from . import images
from .capture import InspectError, capture, capture_batches, input_names, node_order
from .maps import conv_layer, feature_maps, filter_picture, first_conv, is_rgb_filter, kernels
from .source import Inspected, probabilities
from .stats import activation_stats

VIEWS = {
    "feature_maps": "Feature maps",
    "filters": "Filters",
    "saliency": "Saliency",
    "ig": "Integrated Gradients",
    "gradcam": "Grad-CAM",
    "statistics": "Activation statistics",
    "projector": "Projector",
}
STATS_SAMPLES = 1000
PROJECTOR_SAMPLES = 1000


@dataclass
class Rendered:
    view: str
    node: str | None
    caption: str
    image: Image.Image | None = None
    rows: list[dict] = field(default_factory=list)  # the numbers, one dict a CSV row
    coords: np.ndarray | None = None  # projector: (N, 2 or 3)
    labels: np.ndarray | None = None  # projector: each point's true class
    predicted: np.ndarray | None = None  # projector: each point's predicted class


def layers(inspected: Inspected) -> list[str]:
    model = inspected.model
    return [n for n in node_order(model) if n not in input_names(model)]


def default_node(inspected: Inspected, view: str) -> str | None:
    """The node a view starts on: the first conv for filters and maps, the last conv for
    Grad-CAM, the layer before the output for the projector."""
    nodes = layers(inspected)
    convs = [n for n in nodes if conv_layer(inspected.model, n) is not None]
    if view in ("feature_maps", "filters") and convs:
        return convs[0]
    if view == "gradcam" and convs:
        return convs[-1]
    if view == "projector" and len(nodes) > 1:
        return nodes[-2]
    return nodes[0] if nodes else None


def render(
    inspected: Inspected, view: str, node: str | None, sample: int = 0, method: str = "pca"
) -> Rendered:
    """The view for `node` and test sample `sample`; InspectError when it does not apply."""
    if view not in VIEWS:
        raise InspectError(f"unknown view {view!r}")
    node = node or default_node(inspected, view)
    if view == "statistics":
        return _statistics(inspected)
    if view == "projector":
        return _projector(inspected, node, method)
    if view == "filters":
        return _filters(inspected, node)
    x, y = inspected.sample(sample)
    label = inspected.label(y) if not y.is_floating_point() and y.ndim == 0 else "-"
    probs = probabilities(inspected.model, x)[0]
    guess = int(probs.argmax())
    about = f"sample {sample} of the {inspected.split_name} split: label {label}, predicted {inspected.label(guess)} ({float(probs[guess]):.0%})"
    if view == "feature_maps":
        maps = feature_maps(node, capture(inspected.model, x, [node])[node][0])
        return Rendered(
            view,
            node,
            f"{node}: {len(maps.channels)} channel(s) of shape {maps.shape} for {about}",
            maps.picture(tile_size=80),
            maps.rows(),
        )
    if not x.is_floating_point():  # token ids: IG per token, whatever the method asked
        target, rows = token_rows(inspected, x, None)
        picture = images.token_strip([r["token"] for r in rows], [r["attribution"] for r in rows])
        caption = f"Integrated Gradients per token for class {inspected.label(target)}; {about}"
        return Rendered(view, None, caption, picture, rows)
    if x.ndim == 2 and view in ("saliency", "ig"):  # a table's row: IG per feature
        rows = feature_rows(inspected, x)
        labels = [f"{r['feature']} {r['attribution']:+.2g}" for r in rows]
        picture = images.token_strip(labels, [r["attribution"] for r in rows])
        caption = (
            f"Integrated Gradients per feature (row, and mean |IG| over the test split); {about}"
        )
        return Rendered(view, None, caption, picture, rows)
    from .attribution import attribute

    result = attribute(inspected.model, x, view, layer=node if view == "gradcam" else None)
    heat = result.map2d().numpy()
    picture = (
        images.overlay(x[0].numpy(), heat)
        if x.ndim == 4
        else images.heat(heat[None] if heat.ndim == 1 else heat)
    )
    picture = picture.resize(
        (224, 224), Image.Resampling.NEAREST if x.ndim != 4 else Image.Resampling.BILINEAR
    )
    rows = [
        {"row": r, **{f"c{c}": float(v) for c, v in enumerate(line)}}
        for r, line in enumerate(np.atleast_2d(heat))
    ]
    where = f" at {result.layer}" if result.layer else ""
    return Rendered(
        view,
        result.layer,
        f"{VIEWS[view]}{where} for class {inspected.label(result.target)}; {about}",
        picture,
        rows,
    )


def feature_rows(inspected: Inspected, x, target: int | None = None) -> list[dict]:
    """One row per feature of a table's row `x` (1, F): its value, its IG attribution, and the
    mean (absolute) attribution over the test split (up to 1000 rows)."""
    from .attribution import feature_attributions

    row = feature_attributions(inspected.model, x, target=target)[0]
    test = feature_attributions(inspected.model, inspected.split.x[:1000], target=target)
    names = inspected.feature_names
    names = names if len(names) == x.shape[1] else [f"feature {i}" for i in range(x.shape[1])]
    return [
        {
            "feature": name,
            "value": float(x[0, i]),
            "attribution": float(row[i]),
            "mean_abs_attribution_test": float(test[:, i].abs().mean()),
            "mean_attribution_test": float(test[:, i].mean()),
        }
        for i, name in enumerate(names)
    ]


def token_rows(inspected: Inspected, ids, target: int | None) -> tuple[int, list[dict]]:
    """(the class explained, one row per token that is not padding: position, id, token, IG)."""
    from .attribution import token_attributions, token_texts

    values, target = token_attributions(inspected.model, ids, target=target)
    keep = (ids[0] != 0).nonzero().reshape(-1).tolist()
    tokenizer = (inspected.bundle.get("preprocessing") or {}).get("tokenizer")
    tokens = token_texts(tokenizer, ids[0][keep])
    rows = [
        {"position": p, "id": int(ids[0, p]), "token": t, "attribution": float(values[p])}
        for p, t in zip(keep, tokens)
    ]
    return target, rows


def _filters(inspected: Inspected, node: str | None) -> Rendered:
    model = inspected.model
    node = node or first_conv(model)
    weight = kernels(model, node)
    rgb = weight.ndim == 4 and is_rgb_filter(model, node)
    rows = [
        {"filter": o, "min": float(w.min()), "max": float(w.max()), "norm": float(w.norm())}
        for o, w in enumerate(weight)
    ]
    shape = "x".join(str(s) for s in weight.shape)
    return Rendered(
        "filters",
        node,
        f"{node}: kernels {shape} (filters x inputs x size)",
        filter_picture(weight, tile_size=64, rgb=rgb),
        rows,
    )


def _statistics(inspected: Inspected) -> Rendered:
    stats = activation_stats(inspected.model, inspected.split.x[:STATS_SAMPLES])
    n = min(len(inspected.split), STATS_SAMPLES)
    return Rendered(
        "statistics",
        None,
        f"Each layer's outputs over {n} {inspected.split_name} samples; dead = a ReLU unit that is zero for all of them",
        None,
        [s.row() for s in stats],
    )


def _projector(inspected: Inspected, node: str, method: str) -> Rendered:
    from .projection import project

    x = inspected.split.x[:PROJECTOR_SAMPLES]
    values = capture_batches(inspected.model, x, [node])[node]
    try:
        result = project(values.reshape(len(values), -1).numpy(), method, 2)
    except ValueError as error:
        raise InspectError(f"{node}: {error}") from None
    y = inspected.split.y[:PROJECTOR_SAMPLES]
    labels = (
        y.numpy().astype(int)
        if not y.is_floating_point() and y.ndim == 1
        else np.zeros(len(x), int)
    )
    predicted = probabilities(inspected.model, x).argmax(dim=1).numpy()
    rows = [
        {
            "sample": i,
            "x0": float(c[0]),
            "x1": float(c[1]),
            "label": int(labels[i]),
            "predicted": int(predicted[i]),
        }
        for i, c in enumerate(result.coords)
    ]
    caption = (
        f"{node}: {len(x)} {inspected.split_name} samples by {method.upper()}, coloured by label"
    )
    return Rendered(
        "projector",
        node,
        caption,
        images.scatter(result.coords, labels),
        rows,
        result.coords,
        labels,
        predicted,
    )
