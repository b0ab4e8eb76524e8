"""House rules that keep the engine headless and the package installable."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import neurocanvas.engine
import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent


def engine_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(neurocanvas.engine.__path__, "neurocanvas.engine.")
    ]


@pytest.mark.slow
def test_engine_imports_no_qt_in_a_fresh_interpreter():
    modules = engine_modules()
    assert "neurocanvas.engine.compiler" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6') or m.startswith('neurocanvas.gui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", f"engine pulled in Qt/GUI modules: {result.stdout}"


def test_the_run_layer_is_in_the_engine():
    """The training process, jobs, insight and hints: checked with the engine above."""
    modules = engine_modules()
    for name in ("process", "server", "pool", "runner", "job", "training_job", "insight", "hints"):
        assert f"neurocanvas.engine.session.{name}" in modules


@pytest.mark.slow
def test_the_training_process_imports_no_qt():
    """What the window's training process loads (its entry module, then the modules it warms
    before saying Ready): Qt there would cost start-up time and memory for nothing."""
    script = (
        "import importlib, sys\n"
        "import neurocanvas.engine.session.server as server\n"
        "before_handshake = sorted(m for m in sys.modules if m.split('.')[0] == 'torch')\n"
        "for name in server.WARM_MODULES:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6') or m.startswith('neurocanvas.gui'))\n"
        "print(','.join(bad + before_handshake))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", f"the training process would load: {result.stdout}"


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set()
    for top in ("engine", "gui", "resources"):
        for init in (ROOT / top).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT).parts
            found.add(".".join(("neurocanvas", *relative)))
    assert found <= listed, f"add to pyproject packages: {sorted(found - listed)}"


def test_templates_are_found_through_the_installed_package():
    from neurocanvas.engine.templates import list_templates

    names = {template.name for template in list_templates()}
    assert {
        "seed-mlp",
        "seed-cnn",
        "seed-cnn2",
        "xor",
        "tabular-mlp",
        "mnist-quickstart",
        "lstm-classifier",
        "dense-autoencoder",
        "residual-cnn",
        "inception-block",
        "vgg-cifar10",
    } <= names


def test_import_contracts_hold():
    """The static contracts in pyproject.toml ([tool.importlinter]): engine never imports Qt,
    pyqtgraph or the GUI, at any depth, including imports inside functions."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
