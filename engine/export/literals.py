"""Strings that reach generated Python code (model.py, train.py) go through here.

Names come from project files and checkpoints, which anyone can write: a project named
`X` + three double quotes + `; import os; os.system(...)` must stay text, since the export imports model.py to verify
it. So user text is emitted either inside a docstring with every backslash and quote escaped, or
as `repr()`, or as an identifier that `str.isidentifier` accepts; and a generated file is parsed
before anything runs it, to confirm its docstring is exactly the text we meant to write.
"""

from __future__ import annotations

import ast
import keyword
import unicodedata

from .parity import ExportError

_MAX_DOC_CHARS = 200


def one_line(value: object) -> str:
    """`value` as one line of at most 200 characters: control characters (newlines, NUL) become
    spaces, so user text cannot start a new line of code or of a docstring."""
    text = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch for ch in str(value)
    ).strip()
    return text if len(text) <= _MAX_DOC_CHARS else text[: _MAX_DOC_CHARS - 3] + "..."


def docstring_literal(text: str) -> str:
    """`text` as a triple-quoted literal whose value is exactly `text`: backslashes and double
    quotes are escaped, so no closing quotes and no escape sequence can come from the text."""
    return '"""' + text.replace("\\", "\\\\").replace('"', '\\"') + '"""'


def identifier(value: str, what: str) -> str:
    """`value` unchanged if it is a plain Python identifier, else an ExportError naming `what`."""
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise ExportError(f"{what} {value!r} is not a valid Python name (letters, digits, _)")
    return value


def check_docstring(code: str, expected: str, file_name: str) -> None:
    """Refuse generated `code` unless it parses and its module docstring is `expected` (the
    unescaped text we wrote). A name that broke out of the docstring fails here, before import."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise ExportError(
            f"generated {file_name} is not valid Python (line {error.lineno})"
        ) from None
    if ast.get_docstring(tree, clean=False) != expected:
        raise ExportError(f"generated {file_name} was refused: a name altered its docstring")
