"""The canvas preview's cost to training (issue 20), as ratios:

1. In the training process: seed-cnn on MNIST t10k headless, with the preview's callback (every
   node's output for one test sample, about once a second) vs without, alternating rounds; the
   median ratio. Goal >= 0.95x (the preview may slow training by < 5%).
2. In the window: bench_gui_training's window-vs-headless bench with the canvas preview on, every
   card drawing its output on a shown canvas. Goal >= 0.9x headless.

BENCH_ROUNDS, BENCH_EPOCHS as in bench_gui_training; BENCH_PREVIEW_WINDOW=0 skips part 2.
"""

from __future__ import annotations

import os
import statistics
import sys

from bench import bench_gui_training

TARGET_PREVIEW = 0.95


def headless(with_preview: bool) -> float:
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.session.insight import PreviewCallback
    from neurocanvas.engine.training import EpochEnded, Trainer

    project = bench_gui_training._project()
    cfg = DataConfig.from_dict(project.data)
    data = prepare(load_dataset(cfg), cfg)
    sent = []
    callbacks = [PreviewCallback(sent.append, data.test.x[:1])] if with_preview else []
    rates = []
    trainer = Trainer(project, data, callbacks=callbacks)
    trainer.subscribe(
        lambda e: rates.append(e.samples_per_s) if isinstance(e, EpochEnded) else None
    )
    trainer.run()
    if with_preview and not sent:
        raise RuntimeError("the preview callback sent nothing")
    return statistics.mean(rates)


def preview_cost_ms() -> float:
    """Median milliseconds of one preview (every node's output for one sample) of seed-cnn: what
    the callback adds about once a second. Steadier than throughput on a busy machine."""
    import time

    import torch
    from neurocanvas.engine.compiler import compile_graph
    from neurocanvas.engine.session.insight import one_thread_preview
    from neurocanvas.engine.shapes import AutoSizes

    project = bench_gui_training._project()
    model = compile_graph(project.graph, auto=AutoSizes((1, 28, 28), 10), seed=0)
    x = torch.rand(1, 1, 28, 28)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        one_thread_preview(model, x)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[5:])


def main() -> dict:
    from neurocanvas.engine.session.insight import PREVIEW_INTERVAL

    cost = preview_cost_ms()
    share = cost / (PREVIEW_INTERVAL * 1000)
    print(
        f"one preview of seed-cnn: {cost:.2f} ms, once per {PREVIEW_INTERVAL:g} s: "
        f"{share:.2%} of training time (ratio {1 - share:.4f}x)"
    )
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    headless(False)  # warm-up: the first convolutions of a process are slow
    pairs = [(headless(False), headless(True)) for _ in range(rounds)]
    ratio = statistics.median(on / off for off, on in pairs)
    print(f"training process, seed-cnn on MNIST t10k, {bench_gui_training.EPOCHS} epochs:")
    for off, on in pairs:
        print(f"  without preview {off:,.0f}  with {on:,.0f} samples/s  ({on / off:.3f}x)")
    print(f"  median ratio {ratio:.3f}x (goal >= {TARGET_PREVIEW}x)")
    result = {"ok": ratio >= TARGET_PREVIEW, "preview_ratio": ratio, "preview_ms": cost}
    if os.environ.get("BENCH_PREVIEW_WINDOW", "1") != "0":
        bench_gui_training.PREVIEW = True
        try:
            window = bench_gui_training.main()
        finally:
            bench_gui_training.PREVIEW = False
        result.update(ok=result["ok"] and window["ok"], window_ratio=window["ratio"])
    return result


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
