"""Training in the window vs the headless trainer (issue 7).

1. Throughput: seed-cnn on MNIST t10k (../shared/datasets/mnist), training samples per second
   from the trainer's EpochEnded events, headless vs driven through `TrainingDock` offscreen
   (worker thread, live plots, histograms). Goal: window >= 0.9x headless.
2. Responsiveness: while the window trains, a 10 ms `QTimer` probe records how late each tick
   comes; goal: p99 lag < 50 ms.

The window trains in its training process (`engine/session/`), started and
warmed by one short run first, as the app starts it when it opens. Headless and window runs
alternate (BENCH_ROUNDS, default 5) and the median of the per-round ratios is the figure, so a
machine that gets busier or quieter during the bench does not tilt it. BENCH_EPOCHS (default 5),
BENCH_HIDDEN=1 (train with the dock not shown: isolates the cost of painting the plots) and
BENCH_VERBOSE=1 (per-epoch figures) adjust it. With PREVIEW on (bench_preview.py, or
BENCH_PREVIEW=1) the window trains with the canvas preview on, drawn on a shown canvas.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT / ".." / "shared" / "datasets" / "mnist"
EPOCHS = int(os.environ.get("BENCH_EPOCHS", "5"))
TARGET_RATIO, TARGET_LAG_MS = 0.9, 50.0
PREVIEW = bool(os.environ.get("BENCH_PREVIEW"))


def _project():
    from neurocanvas.engine.templates import load_template

    project = load_template("seed-cnn")
    source = str(MNIST.resolve()) if MNIST.is_dir() else "mnist"
    project.data = {"source": source, "split": [0.7, 0.15, 0.15], "seed": 0}
    project.training = {**project.training, "epochs": EPOCHS, "checkpoint": False}
    return project


def headless() -> float:
    """Mean training samples/s over the epochs of one headless run."""
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.training import EpochEnded, Trainer

    project = _project()
    cfg = DataConfig.from_dict(project.data)
    data = prepare(load_dataset(cfg), cfg)
    rates = []
    trainer = Trainer(project, data)
    trainer.subscribe(
        lambda e: rates.append(e.samples_per_s) if isinstance(e, EpochEnded) else None
    )
    trainer.run()
    if os.environ.get("BENCH_VERBOSE"):
        print("  headless epochs:", [round(r) for r in rates])
    return statistics.mean(rates)


def headless_warmup() -> None:
    """One short run first: the first convolutions of a process are slow (allocator, threads)."""
    global EPOCHS
    epochs, EPOCHS = EPOCHS, 1
    try:
        headless()
    finally:
        EPOCHS = epochs


def window_warmup() -> None:
    """One short run in the window first: it starts the training process (as the app does when
    it opens) and warms that process's first convolutions, as `headless_warmup` does here."""
    global EPOCHS
    epochs, EPOCHS = EPOCHS, 1
    try:
        in_window()
    finally:
        EPOCHS = epochs


def in_window() -> tuple[float, list[float]]:
    """(mean training samples/s, event-loop lags in ms) for one run driven through the dock."""
    from neurocanvas.engine.session.messages import Progress
    from neurocanvas.engine.training.events import EpochEnded
    from neurocanvas.gui.app import make_application
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.dock import TrainingDock
    from PySide6.QtCore import QEventLoop, QTimer

    make_application()
    dock = TrainingDock(Document(_project()))
    dock.resize(1400, 900)
    if not os.environ.get("BENCH_HIDDEN"):
        dock.show()
    canvas = None
    if PREVIEW:  # the cards draw each node's output for test sample 0 as the model trains
        from neurocanvas.gui.canvas.view import CanvasView

        canvas = CanvasView(dock.document)
        canvas.resize(900, 900)
        canvas.show()
        dock.preview_changed.connect(canvas.set_previews)
        dock.preview_check.setChecked(True)
    rates: list[float] = []
    lags: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        if dock.live_view.started:  # measure while training, not while loading the data
            lags.append(max(0.0, (now - last[0]) * 1000 - 10.0))
        last[0] = now

    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(tick)
    probe.start()
    dock.start()
    dock.worker.event.connect(
        lambda message: (
            rates.extend(e.samples_per_s for e in message.events if isinstance(e, EpochEnded))
            if isinstance(message, Progress)
            else None
        )
    )
    # A real event loop (as `app.exec()`), not a polling loop that would steal the GIL.
    loop = QEventLoop()
    dock.state_changed.connect(lambda state: loop.quit() if state == "idle" else None)
    if dock.running:
        loop.exec()
    probe.stop()
    dock.close()
    if canvas is not None:
        canvas.close()
    if not rates:
        raise RuntimeError(f"the window run produced no epochs: {dock.error_text()}")
    if os.environ.get("BENCH_VERBOSE"):
        print("  window epochs:", [round(r) for r in rates])
    return statistics.mean(rates), lags


def main() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="neurocanvas-bench-") as runs:
        # The window's runs go to a scratch folder, not the user's list of runs.
        os.environ["NEUROCANVAS_DATA_DIR"] = runs
        return measure()


def measure() -> dict:
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    headless_warmup()
    window_warmup()
    ratios, pairs, lags = [], [], []
    for _ in range(rounds):
        alone = headless()
        window, window_lags = in_window()
        ratios.append(window / alone)
        pairs.append((alone, window))
        lags.extend(window_lags)
    ratio = statistics.median(ratios)
    lags.sort()
    p99 = lags[min(len(lags) - 1, int(0.99 * len(lags)))] if lags else float("nan")
    preview = ", canvas preview on" if PREVIEW else ""
    print(f"seed-cnn on MNIST t10k, {EPOCHS} epochs, training samples/s, {rounds} rounds{preview}")
    for alone, window in pairs:
        print(f"  headless {alone:,.0f}  in window {window:,.0f}  ({window / alone:.2f}x)")
    print(f"  median ratio {ratio:.2f}x (goal >= {TARGET_RATIO}x)")
    print(
        f"event-loop lag while training (10 ms probe, {len(lags)} ticks): "
        f"median {statistics.median(lags) if lags else float('nan'):.1f} ms, "
        f"p99 {p99:.1f} ms, max {max(lags) if lags else float('nan'):.1f} ms "
        f"(goal p99 < {TARGET_LAG_MS:.0f} ms)"
    )
    ok = ratio >= TARGET_RATIO and p99 < TARGET_LAG_MS
    return {"ok": ok, "ratio": ratio, "lag_p99_ms": p99}


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
