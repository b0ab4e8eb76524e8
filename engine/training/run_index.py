"""Past runs on disk: every run folder keeps its settings (config.json), its curves
(metrics.jsonl), its checkpoints and how it ended (result.json). `list_runs(base, pattern)` reads
them back, oldest first, so the window's runs list survives a restart."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .run_folder import RESULT_FILE

MAX_RUNS = 50  # the newest; older folders stay on disk, untouched


def list_runs(
    base: str | Path, pattern: str | re.Pattern = ".*", limit: int = MAX_RUNS
) -> list[dict[str, Any]]:
    """The newest `limit` runs under `base` whose folder name matches `pattern` (whole name),
    oldest first (names end in a timestamp). A folder that is not a run (no config.json) or
    cannot be read is left out."""
    base, pattern = Path(base), re.compile(pattern)
    try:
        candidates = list(base.iterdir())
    except OSError:  # no runs yet
        return []
    folders = sorted(
        folder
        for folder in candidates
        if pattern.fullmatch(folder.name) and (folder / "config.json").is_file()
    )
    runs = [read_run(folder) for folder in folders[-limit:]]
    return [run for run in runs if run is not None]


def read_run(folder: str | Path) -> dict[str, Any] | None:
    """{"run_dir", "project", "training", "history", "checkpoint", "result"} of one run folder;
    None when its config.json is unreadable. "result" is None for a run that never ended (the
    app was killed); its curves and checkpoints still count."""
    folder = Path(folder)
    config = _read_json(folder / "config.json")
    if not isinstance(config, dict):
        return None
    result = _read_json(folder / RESULT_FILE)
    result = result if isinstance(result, dict) else None
    # The one the run named (best.pt, or last.pt without validation), found in this folder: the
    # paths inside result.json go stale when the project folder moves.
    named = Path(str((result or {}).get("checkpoint") or "best.pt")).name
    checkpoint = next(
        (str(folder / name) for name in (named, "best.pt", "last.pt") if (folder / name).is_file()),
        None,
    )
    return {
        "run_dir": str(folder),
        "project": config.get("project") or {},
        "training": config.get("training") or {},
        "history": _read_history(folder / "metrics.jsonl"),
        "checkpoint": checkpoint,
        "result": result,
    }


def _read_history(path: Path) -> list[dict[str, float]]:
    """Per-epoch metrics, one JSON object a line; a torn last line (killed mid-write) is skipped.
    A resumed run appends epochs again from its restart: the later line for an epoch wins."""
    by_epoch: dict[int, dict[str, float]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("epoch"), int):
            epoch = row.pop("epoch")
            by_epoch[epoch] = {k: (float("nan") if v is None else v) for k, v in row.items()}
    return [by_epoch[epoch] for epoch in sorted(by_epoch)]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
