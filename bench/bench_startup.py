"""Start-up time of `neurocanvas`: seconds from launching the command to the window's first paint.

Runs `neurocanvas --startup-probe` (the window prints `first-paint` when it first paints, then
quits) a few times and reports the median. Without a display it runs offscreen, which paints the
same widgets. The target is 1.5 s (issue 6).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 1.5


def _command() -> list[str]:
    script = shutil.which("neurocanvas", path=str(Path(sys.executable).parent))
    if script:
        return [script, "--startup-probe"]
    return [sys.executable, "-m", "neurocanvas.engine.cli", "--startup-probe"]


def time_to_first_paint(runs: int = 5) -> list[float]:
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            _command(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        for line in process.stdout:
            if line.strip() == "first-paint":
                times.append(time.perf_counter() - start)
                break
        process.wait(timeout=60)
    return times


def main(runs: int = 5) -> dict:
    times = time_to_first_paint(runs)
    if not times:
        print("startup: the window never painted", file=sys.stderr)
        return {"name": "startup", "ok": False}
    median = statistics.median(times)
    ok = median <= TARGET_S
    print(
        f"startup: window visible after {median:.2f} s (median of {len(times)}, "
        f"best {min(times):.2f} s; target {TARGET_S} s) {'ok' if ok else 'TOO SLOW'}"
    )
    return {"name": "startup", "seconds": median, "target": TARGET_S, "ok": ok}


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
