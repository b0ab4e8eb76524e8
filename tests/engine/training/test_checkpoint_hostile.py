"""A checkpoint with fields of the wrong type is refused on load with the field named, and a
pickle holding code is refused without PyTorch's advice to turn the safety off."""

from __future__ import annotations

import os
import pickle

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neurocanvas.engine.training.checkpoint import CheckpointError, load_checkpoint, read_checkpoint


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory):
    from neurocanvas.engine.cli import main

    out = tmp_path_factory.mktemp("run") / "r"
    assert main(["train", "xor", "--epochs", "1", "--out", str(out), "--json"]) == 0
    return read_checkpoint(out / "last.pt")


def _saved(tmp_path, bundle) -> str:
    path = tmp_path / "c.pt"
    torch.save(bundle, path)
    return str(path)


@pytest.mark.parametrize(
    "field, value",
    [
        ("version", "1"),
        ("version", True),
        ("project", None),
        ("state_dict", "weights"),
        ("state_dict", {"w": [1, 2]}),
        ("class_names", 5),
        ("class_names", [1, 2]),
        ("auto", {"input_shape": "2"}),
        ("auto", {"input_shape": [10**11]}),
        ("auto", {"input_shape": [2], "output_units": "3"}),
        ("config", {"eval_batch_size": 0}),
        ("task", 3),
    ],
)
def test_wrong_field_types_name_the_field(tmp_path, good_bundle, field, value):
    bundle = dict(good_bundle)
    if value is None:
        del bundle[field]
    else:
        bundle[field] = value
    path = _saved(tmp_path, bundle)
    with pytest.raises(CheckpointError, match=field.split(".")[0]):
        load_checkpoint(path)


class _Payload:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_a_pickle_with_code_is_refused_without_unsafe_advice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"format": "neurocanvas-checkpoint", "x": _Payload()}))
    with pytest.raises(CheckpointError) as error:
        read_checkpoint(path)
    message = str(error.value)
    assert "weights_only=False" not in message and "\n" not in message
    assert "never runs" in message and not (tmp_path / "pwned").exists()


def test_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "best.pt")
    with pytest.raises(CheckpointError, match="named pipe"):
        read_checkpoint(tmp_path / "best.pt")


_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.lists(st.integers(), max_size=3)
    | st.dictionaries(st.text(max_size=4), st.integers(), max_size=3)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(
        [
            "version",
            "project",
            "state_dict",
            "class_names",
            "auto",
            "config",
            "preprocessing",
            "task",
            "loss",
            "mode",
            "epoch",
        ]
    ),
    value=_values,
)
def test_any_field_value_loads_or_is_a_checkpoint_error(tmp_path, good_bundle, field, value):
    bundle = {**good_bundle, field: value}
    path = _saved(tmp_path, bundle)
    try:
        load_checkpoint(path)
    except CheckpointError:
        pass
    except Exception as error:  # noqa: BLE001
        from neurocanvas.engine.project import ProjectError

        assert isinstance(error, ProjectError), (
            f"{field}={value!r}: {type(error).__name__}: {error}"
        )
