"""Start-up: how long a user waits, as ratios to `python -c "import torch"` timed in the same run.

- the window's first paint (`neurocanvas --startup-probe`; target 1.5 s, issue 6);
- a plain start's gallery: painted, and a real click on it handled while the panels and torch
  import on a thread (`--startup-probe gallery`; goal <= 0.5x import torch, issue 22);
- `neurocanvas --help` and `neurocanvas templates`, which import no torch (goal <= 0.15x).

Rounds alternate between the commands and `import torch` so a busy machine slows both alike; the
figures are medians. Without a display the window runs offscreen, which paints the same widgets.
A fresh settings folder makes every start a first start (gallery shown, nothing to recover).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.5
GALLERY_GOAL = 0.5
CLI_GOAL = 0.15


def _neurocanvas() -> list[str]:
    script = shutil.which("neurocanvas", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "neurocanvas.engine.cli"]


def _env(home: str) -> dict:
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config")
    env["XDG_DATA_HOME"] = f"{home}/.local/share"
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def _milestones(command: list[str], env: dict) -> dict[str, float]:
    """Seconds from launch to each line the command prints (its first word), and to its exit."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env
        )
        seen: dict = {}
        for line in process.stdout:
            if line.strip():
                seen.setdefault(line.split()[0], time.perf_counter() - start)
        process.wait(timeout=120)
        seen["exit"] = time.perf_counter() - start
        errors.seek(0)
        seen["stderr"] = errors.read().strip()
    return seen


def _platform(env: dict) -> str:
    if env.get("QT_QPA_PLATFORM") == "offscreen":
        return "offscreen (no display; set DISPLAY to measure a real X server such as Xvfb)"
    return f"X server {env.get('DISPLAY')}" if env.get("DISPLAY") else "Wayland"


def measure(rounds: int = 3) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as home:
        env = _env(home)
        times["platform"] = [_platform(env)]
        for _ in range(rounds):
            runs = {
                "torch": ([sys.executable, "-c", "import torch"], "exit"),
                "window": ([*_neurocanvas(), "--startup-probe"], "first-paint"),
                "gallery": ([*_neurocanvas(), "--startup-probe", "gallery"], "gallery-painted"),
                "help": ([*_neurocanvas(), "--help"], "exit"),
                "templates": ([*_neurocanvas(), "templates"], "exit"),
            }
            for name, (command, milestone) in runs.items():
                seen = _milestones(command, env)
                if milestone not in seen and seen["stderr"]:
                    times["stderr"] = [seen["stderr"].splitlines()[-1]]
                if milestone in seen:
                    times.setdefault(name, []).append(seen[milestone])
                if name == "gallery" and "gallery-clicked" in seen:
                    times.setdefault("gallery click", []).append(seen["gallery-clicked"])
    return times


def main(rounds: int = 3) -> dict:
    times = measure(rounds)
    platform, problem = times.pop("platform")[0], times.pop("stderr", [""])[0]
    if "torch" not in times or "window" not in times:
        print(f"startup: the window never painted on {platform}: {problem}", file=sys.stderr)
        return {"name": "startup", "ok": False}
    median = {name: statistics.median(values) for name, values in times.items()}
    torch_s = median["torch"]
    print(f"startup ({os.cpu_count()} cores, medians of {rounds} alternating rounds, {platform}): "
          f"import torch {torch_s:.2f} s")  # fmt: skip
    ok = median["window"] <= TARGET_S
    print(f"  window first paint    {median['window']:.2f} s (target {TARGET_S} s) "
          f"{'ok' if ok else 'TOO SLOW'}")  # fmt: skip
    figures = {"name": "startup", "seconds": median["window"], "import_torch_s": torch_s}
    for name, goal in (("gallery", GALLERY_GOAL), ("gallery click", GALLERY_GOAL),
                       ("help", CLI_GOAL), ("templates", CLI_GOAL)):  # fmt: skip
        if name not in median:
            print(f"  {name:<20}  never reached")
            ok = False
            continue
        ratio = median[name] / torch_s
        passed = ratio <= goal
        ok = ok and passed
        figures[f"{name}_ratio"] = ratio
        print(f"  {name:<20}  {median[name]:.2f} s = {ratio:.2f}x import torch "
              f"(goal <= {goal}x) {'ok' if passed else 'FALLS SHORT'}")  # fmt: skip
    figures["ok"] = ok
    return figures


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
