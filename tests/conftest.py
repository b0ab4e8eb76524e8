"""Shared set-up for every test: a run folder a test does not place itself goes to a fresh
temporary folder, never to the checkout's own runs/ (a Trainer given no run_dir writes one)."""

import pytest


@pytest.fixture(autouse=True)
def _default_runs_root_in_tmp(tmp_path_factory, monkeypatch):
    from neurocanvas.engine.training.run_folder import RunFolder

    make_new = RunFolder.new.__func__
    tmp_root = tmp_path_factory.mktemp("default-runs")

    def new(cls, project_name, root=None):
        return make_new(cls, project_name, tmp_root if root is None else root)

    monkeypatch.setattr(RunFolder, "new", classmethod(new))
