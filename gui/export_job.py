"""The export dialog's background work and what it needs to know before it starts.

`run_export` takes and returns plain data only (the project as its JSON dict, the reply as strings
and numbers), so nothing the GUI thread edits is shared with the thread running the export.
`find_latest_checkpoint` finds the weights the training dock saved for this project.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-").lower() or "model"


def find_latest_checkpoint(document) -> Path | None:
    """The newest best.pt (else last.pt) among this project's training runs: the folders the
    training dock writes (`runs/<slug>-<time>` beside the project file, or in the data folder)."""
    from .files import data_dir

    # `<slug>-YYYYmmdd-HHMMSS[-ms]`: a plain prefix test would let "seed" claim "seed-cnn" runs.
    pattern = re.compile(re.escape(slug(document.project.name)) + r"-\d{8}-\d{6}(-\d+)?")
    bases = [data_dir() / "runs"]
    if getattr(document, "path", None):
        bases.insert(0, Path(document.path).parent / "runs")
    found: list[Path] = []
    for base in bases:
        if base.is_dir():
            for run in base.iterdir():
                if run.is_dir() and pattern.fullmatch(run.name):
                    found += [p for p in (run / "best.pt", run / "last.pt") if p.is_file()]
    if not found:
        return None
    # Newest run first; within a run best.pt wins over last.pt (same folder, so same key order).
    found.sort(key=lambda p: (p.parent.stat().st_mtime, p.name == "best.pt"), reverse=True)
    return found[0]


# ---- the background job -------------------------------------------------------------------------
def run_export(request: dict[str, Any]) -> dict[str, Any]:
    """Load the model and export it; a plain dict either way (called on a background thread)."""
    from neurocanvas.engine import export as export_api
    from neurocanvas.engine import project as project_io
    from neurocanvas.engine.training.checkpoint import auto_from_dict

    started = time.perf_counter()
    try:
        project = project_io.from_dict(request["project"], request.get("name", "<window>"))
        source = export_api.load_source(
            project, request.get("weights"), auto_from_dict(request.get("auto"))
        )
        result = export_api.export(
            source, request["format"], request["out"], **request.get("options", {})
        )
    except export_api.ExportError as error:
        return {"ok": False, "error": str(error), "node": error.node}
    except Exception as error:  # noqa: BLE001 - shown in the dialog instead of lost on a thread
        return {"ok": False, "error": f"{type(error).__name__}: {error}", "node": None}
    return {
        "ok": True,
        "format": result.format,
        "path": str(result.path),
        "size_bytes": int(result.size_bytes),
        "seconds": float(result.seconds),
        "verify_seconds": float(result.details.get("verify_seconds", 0.0)),
        "total_seconds": time.perf_counter() - started,
        "max_abs_diff": float(result.max_abs_diff),
        "batch_sizes": [int(b) for b in result.batch_sizes],
        "warnings": [str(w) for w in result.warnings],
        "files": [str(f) for f in result.files],
        "opset": result.details.get("opset"),
        "summary": result.summary(),
    }
