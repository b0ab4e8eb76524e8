"""Shared set-up for the GUI tests: Qt runs offscreen unless a display was asked for explicitly,
and the app's user data (autosaves, runs) goes to a fresh folder for every test."""

import os

import pytest

# Must be set before pytest-qt creates the QApplication (at the first `qtbot`/`qapp` use).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_user_data(tmp_path_factory, monkeypatch):
    """Never read or write the real ~/.local/share/neurocanvas (runs, recovery files)."""
    monkeypatch.setenv("NEUROCANVAS_DATA_DIR", str(tmp_path_factory.mktemp("user-data")))
