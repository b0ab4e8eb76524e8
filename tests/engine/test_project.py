"""Project files: round trips, atomic saves, clear errors, versions, no code execution."""

import json

import pytest
from neurocanvas.engine import atomic, project, templates
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.project import FORMAT_VERSION, ProjectError
from neurocanvas.engine.shapes import AutoSizes
from template_sizes import auto_for


def test_round_trip_keeps_everything(tmp_path):
    original = templates.load_template("inception-block")
    path = tmp_path / "p.json"
    project.save(original, path)
    again = project.load(path)
    assert again.graph.same_as(original.graph)
    assert (again.name, again.data, again.training) == (
        original.name,
        original.data,
        original.training,
    )
    assert json.loads(path.read_text())["version"] == FORMAT_VERSION


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    project.save(templates.load_template("xor"), path)
    before = path.read_text()

    def explode(*args):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", explode)
    with pytest.raises(OSError):
        project.save(templates.load_template("seed-cnn"), path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


def test_malformed_json_reports_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "neurocanvas",\n  "version": 1,\n  "name": oops}\n')
    with pytest.raises(ProjectError, match=r"broken.json: not valid JSON at line 3, column 11"):
        project.load(path)


def test_unknown_layer_and_param_are_named():
    doc = {
        "format": "neurocanvas",
        "version": 1,
        "graph": {"nodes": [{"id": "c1", "type": "Conv4d"}], "edges": []},
    }
    with pytest.raises(ProjectError, match="c1.*unknown layer type 'Conv4d'"):
        project.from_dict(doc)
    doc["graph"]["nodes"] = [{"id": "d1", "type": "Dense", "params": {"unitz": 3}}]
    with pytest.raises(ProjectError, match="d1.*Dense has no parameter 'unitz'"):
        project.from_dict(doc)


def test_newer_version_refused_and_not_a_project():
    with pytest.raises(ProjectError, match="newer NeuroCanvas"):
        project.from_dict({"format": "neurocanvas", "version": FORMAT_VERSION + 1})
    with pytest.raises(ProjectError, match="not a NeuroCanvas project"):
        project.from_dict({"nodes": []})


def test_bad_edges_are_named():
    doc = {
        "format": "neurocanvas",
        "version": 1,
        "graph": {
            "nodes": [{"id": "a", "type": "Input"}],
            "edges": [{"from": ["a", 0], "to": ["ghost", 0]}],
        },
    }
    with pytest.raises(ProjectError, match="edge 1 refers to a node 'ghost'"):
        project.from_dict(doc)


def test_loading_never_runs_code(tmp_path):
    # A value that would be dangerous if evaluated stays an inert (invalid) parameter value.
    doc = {
        "format": "neurocanvas",
        "version": 1,
        "graph": {
            "nodes": [
                {"id": "x", "type": "Input", "params": {"shape": [2]}},
                {
                    "id": "d",
                    "type": "Dense",
                    "params": {"units": "__import__('os').system('false')"},
                },
            ],
            "edges": [{"from": ["x", 0], "to": ["d", 0]}],
        },
    }
    loaded = project.from_dict(doc)
    (issue,) = analyze(loaded.graph).issues
    assert issue.node_id == "d" and "whole number" in issue.message


def test_every_template_loads_validates_and_compiles():
    for info in templates.list_templates():
        proj = templates.load_template(info.name)
        assert info.description, info.name
        auto = auto_for(info.name, proj.graph) or AutoSizes()
        analysis = analyze(proj.graph, auto)
        assert analysis.complete, (info.name, [str(i) for i in analysis.issues])
        compile_graph(proj.graph, auto, seed=0)


def test_unknown_template_lists_the_others():
    with pytest.raises(ProjectError, match="seed-cnn"):
        templates.load_template("seed-rnn")


def test_a_data_file_given_as_project_says_what_to_do(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("5.1,3.5,1.4,0.2,Iris-setosa\n")
    with pytest.raises(ProjectError, match="not a NeuroCanvas project.*--data"):
        project.load(path)
