"""The user's block library: block files written and read back, checked on load with messages
naming the file and field, the folder overridable for tests."""

from __future__ import annotations

import json

import pytest
from neurocanvas.engine import block_library as lib
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.block_edit import group
from neurocanvas.engine.blocks import exposed_values
from neurocanvas.engine.templates import load_template


def seed_block():
    graph = load_template("seed-cnn").graph
    group(graph, ["conv1", "pool1"], block_id="features")
    return graph, graph.nodes["features"]


def test_library_folder_follows_the_overrides(monkeypatch, tmp_path):
    monkeypatch.delenv("NEUROCANVAS_BLOCKS_DIR", raising=False)
    monkeypatch.setenv("NEUROCANVAS_DATA_DIR", str(tmp_path / "data"))
    assert lib.library_dir() == tmp_path / "data" / "blocks"
    monkeypatch.setenv("NEUROCANVAS_BLOCKS_DIR", str(tmp_path / "mine"))
    assert lib.library_dir() == tmp_path / "mine"


def test_a_saved_block_reads_back_equal_and_builds_the_same_network(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROCANVAS_BLOCKS_DIR", str(tmp_path))
    graph, node = seed_block()
    node.params["expose"] = lib.default_expose(node.params["graph"])
    saved = lib.save_to_library(lib.from_node(node, "Seed features", "conv + pool"))
    assert saved == tmp_path / "seed_features.block.json"
    data = json.loads(saved.read_text())  # plain JSON, nothing pickled
    assert data["format"] == "neurocanvas-block" and data["block"]["type"] == "Block"
    blocks, problems = lib.list_library()
    assert problems == [] and [b.name for b in blocks] == ["Seed features"]
    loaded = blocks[0]
    assert loaded.description == "conv + pool" and loaded.node.id == "seed_features"
    assert loaded.node.params["graph"].same_as(node.params["graph"])
    assert exposed_values(loaded.node) == {"conv1_out_channels": 16}
    # The loaded block in place of the original gives the same shapes and parameter count.
    graph.nodes["features"].params = loaded.params()
    result = analyze(graph)
    assert result.ok and result.shape_of("features") == (16, 12, 12)
    assert result.shapes["features"].param_count == 16 * 25 + 16


def test_default_expose_names_each_layer_width():
    _, node = seed_block()
    assert lib.default_expose(node.params["graph"]) == {"conv1_out_channels": "conv1.out_channels"}


def write(path, **changes):
    _, node = seed_block()
    data = lib.to_dict(lib.from_node(node, "B")) | changes
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "neurocanvas"}, 'not a NeuroCanvas block file ("format"'),
        ({"version": 9}, "block format 9"),
        ({"name": ""}, '"name" must be a text'),
        ({"block": [1]}, '"block" must be a node object'),
        ({"block": {"id": "d", "type": "Dense", "params": {}}}, '"block" is a Dense, not a Block'),
        (
            {"block": {"id": "b", "type": "Block", "params": {"expose": {"f": "nope.units"}}}},
            "expose 'f' points at 'nope.units'",
        ),
        (
            {"block": {"id": "b", "type": "Block", "params": {"repeat": 0}}},
            "repeat must be at least 1",
        ),
    ],
)
def test_a_bad_block_file_is_refused_naming_the_file_and_field(tmp_path, changes, message):
    path = write(tmp_path / "bad.block.json", **changes)
    with pytest.raises(lib.BlockFileError, match="bad.block.json") as caught:
        lib.read_block(path)
    assert message in str(caught.value)


def test_an_unknown_layer_inside_the_body_is_named(tmp_path):
    path = write(tmp_path / "x.block.json")
    data = json.loads(path.read_text())
    data["block"]["params"]["graph"]["nodes"][1]["type"] = "Warp"
    path.write_text(json.dumps(data))
    with pytest.raises(lib.BlockFileError, match=r"x.block.json.*unknown layer type 'Warp'"):
        lib.read_block(path)


def test_a_bad_file_in_the_library_is_reported_and_the_others_still_load(tmp_path):
    write(tmp_path / "good.block.json")
    (tmp_path / "broken.block.json").write_text("{not json")
    blocks, problems = lib.list_library(tmp_path)
    assert [b.name for b in blocks] == ["B"]
    assert len(problems) == 1 and "broken.block.json: not valid JSON at line 1" in problems[0]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    _, node = seed_block()
    block = lib.from_node(node, "B")
    path = lib.write_block(block, tmp_path / "b.block.json")
    before = path.read_text()
    block.node.pos = (float("nan"), 0.0)
    with pytest.raises(lib.BlockFileError, match="NaN"):
        lib.write_block(block, path)
    assert path.read_text() == before and list(tmp_path.iterdir()) == [path]


def test_only_blocks_go_to_the_library():
    graph = load_template("seed-cnn").graph
    with pytest.raises(lib.BlockFileError, match="conv1 is a Conv2d"):
        lib.from_node(graph.nodes["conv1"], "x")
