"""Training in the window with the canvas preview on vs the headless trainer (issue 20): the same
bench as bench_gui_training (seed-cnn on MNIST t10k, alternating rounds, the median ratio), with
every card drawing its node's output for one test sample about once a second. Goal >= 0.9x."""

from __future__ import annotations

import sys

from bench import bench_gui_training


def main() -> dict:
    bench_gui_training.PREVIEW = True
    try:
        return bench_gui_training.main()
    finally:
        bench_gui_training.PREVIEW = False


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
