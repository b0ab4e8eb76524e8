"""`neurocanvas train PROJECT --seeds N`: the same settings with N training seeds, one run
folder each (`<out>/seed-0`, ...), then every test metric's mean +- std over the seeds."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from ..cli import UsageError
from .callbacks import json_safe
from .seeds import SeedRunError, repeat_seeds

_SHOWN = ("accuracy", "balanced_accuracy", "auc", "loss", "rmse", "mae", "r2")


def run_seeds(args, project, config, data, device) -> int:
    if not 1 <= args.seeds <= 100:
        raise UsageError(f"--seeds must be a whole number from 1 to 100, got {args.seeds}")
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in project.name).lower()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    root = (
        Path(args.out) if args.out else Path("runs") / f"{slug.strip('-') or 'run'}-seeds-{stamp}"
    )

    def show(seed, outcome) -> None:
        if args.json:
            print(json.dumps(json_safe({"seed": seed, "test": outcome.test})), flush=True)
            return
        shown = "  ".join(f"{k} {outcome.test[k]:.4f}" for k in _SHOWN if k in outcome.test)
        print(f"seed {seed}: {shown}", file=sys.stderr, flush=True)

    try:
        runs = repeat_seeds(
            project, args.seeds, data, config=config, run_root=root, device=str(device), on_run=show
        )
    except SeedRunError as error:
        print(f"neurocanvas: {error}", file=sys.stderr)
        return 1
    report = runs.to_dict() | {"final": True, "runs": str(root)}
    if args.json:
        print(json.dumps(json_safe(report)))
        return 0
    print(f"{args.seeds} seeds, test metrics mean +- std:")
    for name, mean in report["mean"].items():
        print(f"  {name:<18} {mean:.4f} +- {report['std'][name]:.4f}")
    print(f"Runs: {root}")
    return 0
