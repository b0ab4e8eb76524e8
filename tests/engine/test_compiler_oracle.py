"""Oracle tests: with the same weights, compiled graphs equal hand-written torch.nn models."""

import pytest
import torch
from neurocanvas.engine import templates
from neurocanvas.engine.compiler import CompileError, compile_graph, readable_code
from neurocanvas.engine.graph import Graph, chain
from torch import nn


def copy_weights(source: nn.Module, target: nn.Module) -> None:
    """Copy parameters and buffers in registration order (names differ, structure matches)."""
    source_tensors = list(source.state_dict().values())
    target_state = target.state_dict()
    assert len(source_tensors) == len(target_state)
    for key, tensor in zip(target_state, source_tensors):
        assert target_state[key].shape == tensor.shape, key
        target_state[key] = tensor
    target.load_state_dict(target_state)


def assert_same(compiled, reference, *inputs):
    copy_weights(compiled, reference)
    compiled.eval()
    reference.eval()
    with torch.no_grad():
        torch.testing.assert_close(compiled(*inputs), reference(*inputs), rtol=0, atol=1e-6)


def test_seed_mlp():
    reference = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512),
        nn.ReLU(),
        nn.Linear(512, 32),
        nn.ReLU(),
        nn.Linear(32, 10),
        nn.Softmax(dim=-1),
    )
    model = compile_graph(templates.load_template("seed-mlp").graph, seed=0)
    assert_same(model, reference, torch.rand(5, 1, 28, 28))


@pytest.mark.parametrize("second_conv", [False, True])
def test_seed_cnns(second_conv):
    layers = [nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2)]
    if second_conv:
        layers += [nn.Conv2d(16, 8, 2), nn.ReLU(), nn.MaxPool2d(2)]
    flat = 8 * 5 * 5 if second_conv else 16 * 12 * 12
    reference = nn.Sequential(
        *layers,
        nn.Flatten(),
        nn.Linear(flat, 100),
        nn.ReLU(),
        nn.Linear(100, 10),
        nn.Softmax(dim=-1),
    )
    name = "seed-cnn2" if second_conv else "seed-cnn"
    model = compile_graph(templates.load_template(name).graph, seed=0)
    assert_same(model, reference, torch.rand(4, 1, 28, 28))


class ResidualReference(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1)
        self.conv1 = nn.Conv2d(16, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        stem = torch.relu(self.stem(x))
        out = self.conv2(torch.relu(self.conv1(stem)))
        out = nn.functional.max_pool2d(torch.relu(out + stem), 2)
        return self.head(out.mean(dim=(2, 3)))


def test_residual_block_with_add():
    model = compile_graph(templates.load_template("residual-cnn").graph, seed=0)
    assert_same(model, ResidualReference(), torch.rand(3, 1, 28, 28))


class InceptionReference(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, padding=1)
        self.b1 = nn.Conv2d(32, 16, 1)
        self.r3 = nn.Conv2d(32, 16, 1)
        self.b3 = nn.Conv2d(16, 24, 3, padding=1)
        self.r5 = nn.Conv2d(32, 8, 1)
        self.b5 = nn.Conv2d(8, 8, 5, padding=2)
        self.pool_proj = nn.Conv2d(32, 8, 1)
        self.head = nn.Linear(56, 10)

    def forward(self, x):
        relu = torch.relu
        stem = relu(self.stem(x))
        pooled = nn.functional.max_pool2d(stem, 3, stride=1, padding=1)
        branches = [
            relu(self.b1(stem)),
            relu(self.b3(relu(self.r3(stem)))),
            relu(self.b5(relu(self.r5(stem)))),
            relu(self.pool_proj(pooled)),
        ]
        return self.head(torch.cat(branches, dim=1).mean(dim=(2, 3)))


def test_inception_block_with_concatenate():
    model = compile_graph(templates.load_template("inception-block").graph, seed=0)
    reference = InceptionReference()
    # Registration order differs (graph order vs __init__ order): map by matching names.
    order = ["stem", "b1", "r3", "b3", "r5", "b5", "pool_proj", "head"]
    nodes = [
        "stem",
        "branch1x1",
        "reduce3x3",
        "branch3x3",
        "reduce5x5",
        "branch5x5",
        "pool_proj",
        "output",
    ]
    for ref_name, node_id in zip(order, nodes):
        inside = node_id not in ("stem", "output")  # the branches are the inception block's
        layer = model.get_submodule(f"inception.{node_id}" if inside else node_id)
        layer = layer[0] if isinstance(layer, nn.Sequential) else layer
        getattr(reference, ref_name).load_state_dict(layer.state_dict())
    model.eval()
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x), rtol=0, atol=1e-5)


class LSTMReference(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 64, batch_first=True)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        out, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
        return self.head(out[:, -1])


def test_lstm_classifier():
    # PyTorch's two-bias form, which nn.LSTM is; the template's Keras form is checked against
    # Keras in test_recurrent_keras.py and test_keras_parity.py.
    graph = templates.load_template("lstm-classifier").graph
    graph.nodes["lstm"].params["bias"] = "pytorch"
    model = compile_graph(graph, seed=0)
    assert_same(model, LSTMReference(), torch.rand(3, 1, 28, 28))


def test_code_is_readable_and_uses_node_names():
    model = compile_graph(templates.load_template("residual-cnn").graph, seed=0)
    code = readable_code(model)
    assert "skip_add = self.skip_add(res_conv2, stem)" in code
    assert "= None" not in code


def test_same_seed_same_weights():
    graph = templates.load_template("xor").graph
    first, second = compile_graph(graph, seed=3), compile_graph(graph, seed=3)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)


def test_errors_and_unresolved_auto_refuse_to_compile():
    broken = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", "Conv2d")
    with pytest.raises(CompileError, match="conv2d_1"):
        compile_graph(broken)
    with pytest.raises(CompileError, match="auto"):
        compile_graph(templates.load_template("tabular-mlp").graph)


def test_several_outputs_give_a_tuple():
    graph = Graph()
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Dense", {"units": 2}, node_id="a")
    graph.add_node("Dense", {"units": 3}, node_id="b")
    graph.connect(("x", 0), ("a", 0))
    graph.connect(("x", 0), ("b", 0))
    first, second = compile_graph(graph)(torch.rand(5, 4))
    assert first.shape == (5, 2) and second.shape == (5, 3)
