"""The last resort: an unexpected exception becomes exit status 2, one short paragraph and a log
holding the traceback; bad-input errors are shown as they are; Ctrl+C is status 130."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from neurocanvas.engine import cli
from neurocanvas.engine.crash import MAX_MESSAGE_CHARS, describe, one_paragraph
from neurocanvas.engine.project import ProjectError


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    folder = tmp_path / "logs"
    monkeypatch.setenv("NEUROCANVAS_LOG_DIR", str(folder))
    return folder


def _failing_summary(error: BaseException):
    def handler(args):
        raise error

    return handler


def test_an_unexpected_error_is_a_message_and_a_log(log_dir, monkeypatch, capsys):
    monkeypatch.setattr(cli, "run_summary", _failing_summary(KeyError("state_dict")))
    assert cli.main(["summary", "xor"]) == 2
    err = capsys.readouterr().err
    (log,) = log_dir.iterdir()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "KeyError" in err and str(log) in err and "bug" in err
    assert "Traceback" in log.read_text() and "state_dict" in log.read_text()


def test_bad_input_errors_are_shown_as_written_without_a_log(log_dir):
    message = describe(ProjectError("p.json, line 3, column 9: expected ','"))
    assert message == "p.json, line 3, column 9: expected ','"
    assert not log_dir.exists()


def test_ctrl_c_is_status_130_and_one_line(monkeypatch, capsys):
    monkeypatch.setattr(cli, "run_summary", _failing_summary(KeyboardInterrupt()))
    assert cli.main(["summary", "xor"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


@given(st.text(max_size=5000))
def test_one_paragraph_is_one_capped_line(text):
    line = one_paragraph(text)
    assert len(line.splitlines()) <= 1 and len(line) <= MAX_MESSAGE_CHARS
    if len(text) < 100 and len(text.splitlines()) <= 1 and text == text.strip():
        assert line == text


def test_capped_list_says_how_many_more():
    from neurocanvas.engine.messages import capped_list

    assert capped_list(range(3000), limit=3) == "0, 1, 2 and 2,997 more"
    assert capped_list(["a", "b"]) == "a, b"


def test_a_big_cycle_is_one_short_paragraph(tmp_path, capsys):
    from neurocanvas.engine import project as project_io
    from neurocanvas.engine.graph import Edge, Graph

    graph = Graph()
    graph.add_node("Input", {"shape": (4,)}, node_id="x")
    ids = [graph.add_node("Dense", {"units": 4}).id for _ in range(300)]
    graph.add_edge(Edge(("x", 0), (ids[0], 0)))
    for a, b in zip(ids, ids[1:]):
        graph.add_edge(Edge((a, 0), (b, 0)))
    path = tmp_path / "cycle.json"
    project_io.save(project_io.Project(name="cycle", graph=graph), path)
    data = path.read_text().replace(
        '"edges": [', f'"edges": [{{"from": ["{ids[-1]}", 0], "to": ["{ids[0]}", 1]}}, ', 1
    )
    path.write_text(data)
    assert cli.main(["summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < MAX_MESSAGE_CHARS + 100 and "more" in err


def test_a_full_disk_names_the_file_without_a_log(log_dir):
    import errno

    error = OSError(errno.ENOSPC, "No space left on device", "/runs/r/best.pt")
    assert describe(error) == "/runs/r/best.pt: No space left on device"
    assert not log_dir.exists()
