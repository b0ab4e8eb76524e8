"""The window's views (render) on a tiny CNN: each gives a picture and its numbers."""

from __future__ import annotations

import pytest
import torch
from neurocanvas.engine.data import TensorSplit
from neurocanvas.engine.inspect.capture import InspectError, capture
from neurocanvas.engine.inspect.render import VIEWS, default_node, render
from neurocanvas.engine.inspect.source import Inspected


@pytest.fixture
def inspected(tiny_cnn):
    g = torch.Generator().manual_seed(0)
    split = TensorSplit(
        torch.randn(30, 1, 10, 10, generator=g), torch.randint(0, 5, (30,), generator=g)
    )
    return Inspected(tiny_cnn, {}, "test", split, [f"c{k}" for k in range(5)])


@pytest.mark.slow  # the first Captum import
def test_every_view_renders(inspected):
    for view in VIEWS:
        rendered = render(inspected, view, None, sample=2)
        assert rendered.rows and rendered.caption
        assert rendered.image is not None or view == "statistics"
    assert default_node(inspected, "gradcam") == "conv2"
    assert default_node(inspected, "projector") == "flat"


def test_feature_map_rows_are_the_layers_output(inspected):
    rendered = render(inspected, "feature_maps", "conv2", sample=4)
    out = capture(inspected.model, inspected.split.x[4:5], ["conv2"])["conv2"][0]
    assert [r["max"] for r in rendered.rows] == pytest.approx(out.amax(dim=(1, 2)).tolist())
    assert "label c" in rendered.caption


def test_projector_keeps_labels_and_predictions(inspected):
    rendered = render(inspected, "projector", "flat")
    assert rendered.coords.shape == (30, 2)
    assert rendered.labels.tolist() == inspected.split.y.tolist()
    logits = inspected.model(inspected.split.x).argmax(dim=1)
    assert rendered.predicted.tolist() == logits.tolist()


def test_a_view_that_does_not_apply_names_the_node(inspected):
    with pytest.raises(InspectError, match="pool1: this layer has no kernels"):
        render(inspected, "filters", "pool1")


def test_token_view_names_each_token(chain):
    from neurocanvas.engine.compiler import compile_graph
    from neurocanvas.engine.data.texts import train_tokenizer
    from neurocanvas.engine.inspect.render import token_rows

    tok = train_tokenizer(["a good movie", "a bad film", "good good"], {"vocab_size": 20})
    ids = torch.tensor([tok.encode("a good film").ids + [0, 0]])
    project = chain(
        [
            ("Embedding", {"id": "embed", "num_embeddings": 20, "embedding_dim": 4}),
            ("Flatten", {"id": "flat"}),
            ("Dense", {"id": "out", "units": 2, "activation": "softmax"}),
        ],
        (5,),
    )
    project.graph.nodes["input"].params["dtype"] = "int64"
    model = compile_graph(project.graph, seed=1).eval()
    split = TensorSplit(ids, torch.tensor([1]))
    inspected = Inspected(
        model, {"preprocessing": {"tokenizer": tok.to_str()}}, "test", split, ["neg", "pos"]
    )
    target, rows = token_rows(inspected, ids, None)
    assert [r["token"] for r in rows] == ["a", "good", "film"]  # the padding is left out
    assert [r["position"] for r in rows] == [0, 1, 2] and target in (0, 1)
    rendered = render(inspected, "saliency", None, sample=0)
    assert rendered.rows == rows and rendered.image.size[0] == 720


def test_a_table_row_is_explained_per_named_feature(chain):
    from neurocanvas.engine.compiler import compile_graph

    project = chain([("Dense", {"id": "out", "units": 3, "activation": "softmax"})], (4,))
    model = compile_graph(project.graph, seed=2).eval()
    x = torch.randn(20, 4, generator=torch.Generator().manual_seed(3))
    split = TensorSplit(x, torch.zeros(20, dtype=torch.long))
    inspected = Inspected(model, {}, "test", split, ["x", "y", "z"], feature_names=list("abcd"))
    rendered = render(inspected, "ig", None, sample=2)
    assert [r["feature"] for r in rendered.rows] == list("abcd")
    linear = model.get_submodule("out")[0]
    scores = x @ linear.weight.T + linear.bias
    expected = linear.weight.detach()[int(scores[2].argmax())] * x[2]
    assert [r["attribution"] for r in rendered.rows] == pytest.approx(expected.tolist(), rel=1e-4)
    mean_abs = (linear.weight.detach()[scores.argmax(dim=1)] * x).abs().mean(dim=0)
    assert [r["mean_abs_attribution_test"] for r in rendered.rows] == pytest.approx(
        mean_abs.tolist(), rel=1e-4
    )
