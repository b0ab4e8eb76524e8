"""A text model exports as a model of token ids with its tokenizer beside it: the exported
tokenizer.json encodes a sentence to the ids that, fed to the ONNX file, give the checkpoint's
own answer."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from neurocanvas.engine.cli import main
from neurocanvas.engine.data import Preprocessing
from neurocanvas.engine.training import load_checkpoint

ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    out = tmp_path_factory.mktemp("text") / "run"
    assert main(["train", "text-sentiment", "--epochs", "1", "--out", str(out), "--json"]) == 0
    return out / "best.pt"


def test_onnx_of_a_text_model_takes_ids_and_carries_the_tokenizer(checkpoint, tmp_path, capsys):
    from tokenizers import Tokenizer

    out = tmp_path / "export" / "model.onnx"
    out.parent.mkdir()
    args = ["export", "--weights", str(checkpoint), "--format", "onnx", "--out", str(out)]
    assert main(args) == 0
    tokenizer = Tokenizer.from_file(str(out.parent / "tokenizer.json"))
    sentence = "This medicine worked wonders, no side effects at all &amp; I sleep well."
    ids = np.array([tokenizer.encode(sentence.replace("&amp;", "&")).ids], dtype=np.int64)
    model, bundle = load_checkpoint(str(checkpoint))
    pre = Preprocessing.from_dict(bundle["preprocessing"])
    expected_ids = pre.encode_texts([sentence])  # HTML decoded, as in training
    assert np.array_equal(ids, expected_ids.numpy())
    session = ort.InferenceSession(str(out))
    (inp,) = session.get_inputs()
    assert inp.type == "tensor(int64)"
    (got,) = session.run(None, {inp.name: ids})
    with torch.no_grad():
        want = model(expected_ids).numpy()
    assert np.abs(got - want).max() < 1e-4
    meta = {p.key: p.value for p in __import__("onnx").load(str(out)).metadata_props}
    assert (
        json.loads(meta["normalization"])["tokenizer"]
        == (out.parent / "tokenizer.json").read_text()
    )


def test_the_pytorch_export_folder_carries_it_too(checkpoint, tmp_path):
    out = tmp_path / "code"
    args = ["export", "--weights", str(checkpoint), "--format", "pytorch", "--out", str(out)]
    assert main(args) == 0
    assert (out / "tokenizer.json").is_file() and (out / "model.py").is_file()
