"""A few hundred generated hostile inputs through the command line (tools/fuzz_cli.py): no
traceback, no hang, no 'unexpected error'; every one ends with a status and one paragraph."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import fuzz_cli  # noqa: E402


@pytest.mark.slow
def test_hostile_inputs_end_cleanly(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_LOG_DIR", str(tmp_path / "logs"))
    report = fuzz_cli.fuzz(count=200, seed=0, limit_s=60, logs=str(tmp_path / "logs"))
    summary = report.summary()
    shown = [f"{o.problem}: {' '.join(o.case.argv)} -> {o.stderr[-300:]}" for o in report.failures]
    assert summary["inputs"] >= 200 and not shown, "\n".join(shown)
    assert summary["exit_statuses"].get("2", 0) > summary["inputs"] // 2  # most are bad input


def test_a_failure_is_noticed(monkeypatch):
    from neurocanvas.engine import cli

    def crash(_args):
        raise TypeError("planted")

    monkeypatch.setattr(cli, "run_summary", crash)
    outcome = fuzz_cli.run_case(fuzz_cli.Case("planted", ["summary", "xor"]), limit_s=30)
    assert outcome.problem == "unexpected error" and outcome.status == 2
