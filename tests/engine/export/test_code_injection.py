"""Names from a project file or checkpoint never become code in model.py or train.py.

The export imports model.py to verify it, so a name that escaped its docstring would run.
"""

from __future__ import annotations

import ast
import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neurocanvas.engine.export.code import export_pytorch, model_code
from neurocanvas.engine.export.literals import one_line
from neurocanvas.engine.export.parity import ExportError
from neurocanvas.engine.export.train_script import train_code
from neurocanvas.engine.graph import Graph, GraphError

PAYLOADS = [
    'XOR"""; import os; os.system("touch pwned"); """',
    "XOR'''; import os; os.system('touch pwned'); '''",
    'ends with a quote"',
    "ends with a backslash\\",
    'line\n"""\nimport os\nos.system("touch pwned")\n"""',
    "\\N{LATIN SMALL LETTER A} \\x41 {name} {0}",
    "\x00\udcff\u2028 odd characters",
]
# What a user's model.py has at its top level; an injected statement would add to it.
MODEL_TOP_LEVEL = [
    "Expr",
    "ImportFrom",
    "Import",
    "ImportFrom",
    "ClassDef",
    "Assign",  # CLASS_NAMES
    *["Assign"] * 9,  # the preprocessing record: SCALE ... TABLE
    "FunctionDef",  # preprocess
    "FunctionDef",  # load_model
]


def _with_names(source, name: str, class_names: list[str] | None = None):
    project = dataclasses.replace(source.project, name=name)
    return dataclasses.replace(
        source, project=project, class_names=class_names or source.class_names
    )


def _top_level(code: str) -> list[str]:
    return [type(statement).__name__ for statement in ast.parse(code).body]


def _assert_docstring_holds(code: str, name: str) -> None:
    docstring = ast.get_docstring(ast.parse(code), clean=False)
    assert one_line(name) in docstring


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_name_stays_in_the_docstring(payload, sources):
    source = _with_names(sources("xor"), payload, class_names=[payload, "b"])
    code = model_code(source)
    _assert_docstring_holds(code, payload)
    assert _top_level(code) == [*MODEL_TOP_LEVEL, "If"]
    assert ast.literal_eval(code.split("CLASS_NAMES = ", 1)[1].splitlines()[0]) == [payload, "b"]
    script = train_code(source)
    _assert_docstring_holds(script, payload)
    assert "touch pwned" not in "".join(
        ast.unparse(s) for s in ast.parse(script).body[1:] if not isinstance(s, ast.Expr)
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(max_size=60), class_name=st.text(max_size=20))
def test_any_text_as_a_name_gives_a_valid_file(name, class_name, sources):
    source = _with_names(sources("xor"), name, class_names=[class_name])
    code = model_code(source)
    _assert_docstring_holds(code, name)
    assert _top_level(code) == [*MODEL_TOP_LEVEL, "If"]
    _assert_docstring_holds(train_code(source), name)


def test_export_with_the_payload_runs_nothing(sources, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = _with_names(sources("xor"), PAYLOADS[0], class_names=[PAYLOADS[0], "b"])
    result = export_pytorch(source, tmp_path / "out")
    assert result.max_abs_diff < 1e-4
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "out" / "pwned").exists()


@pytest.mark.parametrize("class_name", ["Model; import os", "class", "", "1Model"])
def test_a_class_name_that_is_not_an_identifier_is_refused(class_name, sources):
    with pytest.raises(ExportError, match="not a valid Python name"):
        model_code(sources("xor"), class_name=class_name)


@pytest.mark.parametrize("node_id", ["__dict__", "_modules", "__init__", "forward", "state_dict"])
def test_node_ids_that_would_shadow_module_internals_are_refused(node_id):
    with pytest.raises(GraphError, match="reserved name"):
        Graph().add_node("Dense", node_id=node_id)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_column_names_stay_text_in_the_preprocessing(payload, sources):
    """Column names reach model.py's docstring and its FEATURES/TABLE constants."""
    source = sources("xor")
    table = {
        "columns": [payload, "y"],
        "target": "y",
        "features": [{"name": payload, "kind": "onehot", "values": [payload, "b"]}],
    }
    source = dataclasses.replace(
        source, preprocessing={"feature_names": [f"{payload}=b", "x"], "table": table}
    )
    code = model_code(source)
    assert _top_level(code) == [*MODEL_TOP_LEVEL, "If"]
    line = code.split("TABLE = ", 1)[1].splitlines()[0]
    assert ast.literal_eval(line) == table
