"""Start-up cost: the commands that need no model import no torch (issue 22), and the lazy package
namespaces still give what the eager ones gave."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_PROBE = """
import json, sys
from neurocanvas.engine.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = ("torch", "torchvision", "pandas", "sklearn", "onnx")
print(json.dumps([name for name in heavy if name in sys.modules]), file=sys.stderr)
"""


def _heavy_modules_after(argv: list[str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["templates"], ["templates", "--json"], ["train", "--help"], ["export", "--help"]],
)
def test_commands_without_a_model_import_no_torch(argv):
    assert _heavy_modules_after(argv) == []


def test_summary_imports_torch_but_not_torchvision_or_pandas():
    assert _heavy_modules_after(["summary", "seed-mlp"]) == ["torch"]


def test_lazy_package_gives_the_function_even_after_its_module_of_the_same_name():
    import importlib

    from neurocanvas.engine import data

    prepare_module = importlib.import_module("neurocanvas.engine.data.prepare")  # binds it first
    from neurocanvas.engine.data import prepare

    assert callable(prepare) and prepare is prepare_module.prepare
    assert data.prepare is prepare_module.prepare


def test_lazy_package_names_what_it_lacks_and_lists_what_it_exports():
    from neurocanvas.engine import training

    with pytest.raises(AttributeError, match="neurocanvas.engine.training.*no_such_thing"):
        training.no_such_thing  # noqa: B018 - the attribute access is the test
    assert {"Trainer", "TrainConfig", "prepare_run"} <= set(dir(training))
    assert training.Trainer.__module__ == "neurocanvas.engine.training.trainer"
