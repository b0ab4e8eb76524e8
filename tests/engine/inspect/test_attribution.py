"""Captum's saliency and Grad-CAM against gradients taken by hand with torch.autograd, Integrated
Gradients against its completeness property, and per-feature IG against a linear model's exact
attribution w * x."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.inspect.attribution import (
    attribute,
    feature_attributions,
    last_conv,
    predicted_class,
)
from neurocanvas.engine.inspect.capture import InspectError
from neurocanvas.engine.inspect.maps import conv_layer


def _logits_by_hand(model, x):
    """The tiny CNN's forward in torch.nn.functional, without the Softmax head; also conv2's
    output (Grad-CAM's layer)."""
    c1, c2 = conv_layer(model, "conv1"), conv_layer(model, "conv2")
    fc = model.get_submodule("fc")[0]
    a = F.relu(
        F.conv2d(F.max_pool2d(F.relu(F.conv2d(x, c1.weight, c1.bias)), 2), c2.weight, c2.bias)
    )
    return a.reshape(len(x), -1) @ fc.weight.T + fc.bias, a


def _sample():
    return torch.randn(1, 1, 10, 10, generator=torch.Generator().manual_seed(5))


def test_saliency_is_the_absolute_input_gradient_of_the_class_score(tiny_cnn):
    x = _sample().requires_grad_(True)
    logits, _ = _logits_by_hand(tiny_cnn, x)
    target = int(logits.argmax())
    (grad,) = torch.autograd.grad(logits[0, target], x)
    result = attribute(tiny_cnn, x.detach(), "saliency")
    assert result.target == target == predicted_class(tiny_cnn, x.detach())
    torch.testing.assert_close(result.values, grad[0].abs(), rtol=1e-5, atol=1e-7)
    other = attribute(tiny_cnn, x.detach(), "saliency", target=(target + 1) % 5)
    (grad_other,) = torch.autograd.grad(_logits_by_hand(tiny_cnn, x)[0][0, (target + 1) % 5], x)
    torch.testing.assert_close(other.values, grad_other[0].abs(), rtol=1e-5, atol=1e-7)


def test_gradcam_weights_the_last_convs_maps_by_their_mean_gradient(tiny_cnn):
    x = _sample()
    assert last_conv(tiny_cnn) == "conv2"
    result = attribute(tiny_cnn, x, "gradcam", target=2)
    logits, maps = _logits_by_hand(tiny_cnn, x)
    (grads,) = torch.autograd.grad(logits[0, 2], maps)
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * maps).sum(dim=1, keepdim=True))
    expected = F.interpolate(cam, size=(10, 10), mode="bilinear", align_corners=False)[0, 0]
    assert result.layer == "conv2" and result.values.shape == (10, 10)
    torch.testing.assert_close(result.values, expected.detach(), rtol=1e-5, atol=1e-7)


def test_integrated_gradients_add_up_to_the_score_difference(tiny_cnn):
    x = _sample()
    result = attribute(tiny_cnn, x, "ig", target=1, ig_steps=200)
    logits_x, _ = _logits_by_hand(tiny_cnn, x)
    logits_0, _ = _logits_by_hand(tiny_cnn, torch.zeros_like(x))
    gap = float((logits_x[0, 1] - logits_0[0, 1]).detach())
    assert float(result.values.sum()) == pytest.approx(gap, abs=0.02 * abs(gap) + 1e-4)
    assert result.delta < 0.02 * abs(gap) + 1e-4


def test_table_attributions_of_a_linear_model_are_weight_times_value(chain):
    project = chain([("Dense", {"id": "out", "units": 3, "activation": "softmax"})], (4,))
    model = compile_graph(project.graph, seed=0).eval()
    x = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    linear = model.get_submodule("out")[0]
    values = feature_attributions(model, x)
    targets = (x @ linear.weight.T + linear.bias).argmax(dim=1)
    torch.testing.assert_close(values, linear.weight.detach()[targets] * x, rtol=1e-4, atol=1e-5)
    with pytest.raises(InspectError, match="--target 7: the network has classes 0 to 2"):
        feature_attributions(model, x, target=7)


def test_bad_requests_name_the_problem(tiny_cnn):
    with pytest.raises(InspectError, match="--target 9: the network has classes 0 to 4"):
        attribute(tiny_cnn, _sample(), "saliency", target=9)
    with pytest.raises(InspectError, match="choose one of saliency, ig, gradcam"):
        attribute(tiny_cnn, _sample(), "lime")
    with pytest.raises(InspectError, match="fc: Grad-CAM needs a layer with 2-D feature maps"):
        attribute(tiny_cnn, _sample(), "gradcam", layer="fc")


def test_token_attributions_of_a_linear_text_model_are_exact(chain):
    from neurocanvas.engine.inspect.attribution import token_attributions

    project = chain(
        [
            ("Embedding", {"id": "embed", "num_embeddings": 12, "embedding_dim": 3}),
            ("Flatten", {"id": "flat"}),
            ("Dense", {"id": "out", "units": 2, "activation": "softmax"}),
        ],
        (5,),
    )
    project.graph.nodes["input"].params["dtype"] = "int64"
    model = compile_graph(project.graph, seed=0).eval()
    ids = torch.tensor([[3, 7, 1, 0, 0]])
    values, target = token_attributions(model, ids, target=1)
    table = model.get_submodule("embed").weight.detach()
    weight = model.get_submodule("out")[0].weight.detach()[1].reshape(5, 3)
    # logit_1 = sum_t W_t . E[id_t] + b, so IG from the padding baseline is W_t . (E[id_t] - E[0])
    expected = ((table[ids[0]] - table[0]) * weight).sum(dim=1)
    assert target == 1
    torch.testing.assert_close(values, expected, rtol=1e-4, atol=1e-6)
