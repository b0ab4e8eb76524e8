"""`python -m bench` (make bench): run every bench/bench_*.py module's `main()` in turn.

`python -m bench training shapes` runs only those. Each bench prints its own figures; a bench that
fails is reported and the others still run.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = [n for n in names if not argv or n in argv]
    failed = []
    for name in chosen:
        print(f"== {name}", flush=True)
        try:
            result = importlib.import_module(f"bench.bench_{name}").main()
        except Exception:  # noqa: BLE001 - report and go on with the other benches
            traceback.print_exc()
            failed.append(name)
            continue
        if isinstance(result, dict) and result.get("ok") is False:
            failed.append(name)
        print(flush=True)
    if failed:
        print(f"benches below target or failing: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
