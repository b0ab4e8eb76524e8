"""Hostile project files end in one ProjectError naming the file and the place: never another
exception, a hang on a FIFO, or a canvas drawn from NaN positions."""

from __future__ import annotations

import contextlib
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from neurocanvas.engine import project as project_io
from neurocanvas.engine.project import ProjectError
from neurocanvas.engine.templates import load_project_or_template


def _seed_dict() -> dict:
    return load_project_or_template("xor").to_dict()


def _write(tmp_path, text: str | bytes, name="p.json"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ProjectError, match="named pipe"):
        project_io.load(fifo)  # a blocking open() would hang this test


def test_a_folder_and_a_device_are_refused(tmp_path):
    with pytest.raises(ProjectError, match="folder"):
        project_io.load(tmp_path)
    with pytest.raises(ProjectError, match="device"):
        project_io.load("/dev/zero")


def test_a_utf8_bom_is_accepted(tmp_path):
    text = json.dumps(_seed_dict())
    loaded = project_io.load(_write(tmp_path, b"\xef\xbb\xbf" + text.encode()))
    assert loaded.name == _seed_dict()["name"]


def test_invalid_utf8_is_named_by_line_and_column(tmp_path):
    raw = json.dumps(_seed_dict(), indent=2).encode()
    at = raw.index(b'"name"')
    line = raw[:at].count(b"\n") + 1
    path = _write(tmp_path, raw[:at] + b"\xff" + raw[at:])
    column = at - raw[:at].rfind(b"\n")
    with pytest.raises(ProjectError, match=f"line {line}, column {column}"):
        project_io.load(path)


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"a": ' + "[" * 100000 + "]" * 100000 + "}", "nested"),
        ('{"format": "neurocanvas", "version": ' + "9" * 5000 + "}", "digits"),
        ('{"format": "neurocanvas", "version": NaN}', "NaN"),
        ('{"format": "neurocanvas", "version": 1, "x": Infinity}', "Infinity"),
        ("{" + '"a": {' * 150 + "}" * 151, "nested"),
    ],
)
def test_resource_bombs_and_non_json_tokens(tmp_path, text, words):
    with pytest.raises(ProjectError, match=words):
        project_io.load(_write(tmp_path, text))


@pytest.mark.parametrize("pos", [["NaN", 0], [1e308 * 10, 0], [True, 0], [1e30, 0]])
def test_positions_must_be_finite_numbers(pos):
    data = _seed_dict()
    data["graphs"]["main"]["nodes"][0]["pos"] = pos
    with pytest.raises(ProjectError, match="pos"):
        project_io.from_dict(data)


@pytest.mark.parametrize("port", [float("inf"), -1, 10**9, True, "0", 1.5, None])
def test_edge_ports_must_be_small_whole_numbers(port):
    data = _seed_dict()
    data["graphs"]["main"]["edges"][0]["from"][1] = port
    with pytest.raises(ProjectError, match="edge 1"):
        project_io.from_dict(data)


def test_saving_never_writes_a_nan_token():
    project = load_project_or_template("xor")
    node = next(iter(project.graph.nodes.values()))
    node.pos = (float("nan"), 0.0)  # got past the graph's own checks somehow
    with pytest.raises(ProjectError, match="NaN"):
        project_io.to_json(project)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    path=st.lists(
        st.sampled_from(
            [
                "graphs",
                "main",
                "graph",
                "nodes",
                0,
                "params",
                "pos",
                "edges",
                "from",
                "name",
                "version",
                "type",
                "id",
            ]
        ),
        min_size=1,
        max_size=4,
    ),
    value=_json_values,
)
def test_any_mutation_is_a_project_or_a_project_error(path, value):
    data = _seed_dict()
    target = data
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return
    if not isinstance(target, (dict, list)):
        return
    try:
        target[path[-1]] = value
    except (IndexError, TypeError):
        return
    try:
        text = json.dumps(data)
    except ValueError:
        return
    with contextlib.suppress(ProjectError):  # anything else fails the test
        project_io.loads(text)


def test_a_merge_asking_for_10_to_the_8_ports_is_a_quick_error():
    from neurocanvas.engine.analysis import analyze

    data = _seed_dict()
    data["graphs"]["main"]["nodes"].append(
        {"id": "m", "type": "Add", "params": {"inputs": 10**8}, "pos": [0, 0]}
    )
    project = project_io.from_dict(data)
    errors = [str(issue) for issue in analyze(project.graph).errors if issue.node_id == "m"]
    assert any("at most 16" in text for text in errors)
