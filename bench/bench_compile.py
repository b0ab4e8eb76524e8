"""The compiled fast path: a trainer run with `compile: true`, compile time included, against the
eager hand-written loop (bench_training's) on the same tensors, network and batch order.

    python -m bench compile [--epochs 20] [--only seed-mlp,seed-cnn]

Each case runs twice with compile on: the first run of a network compiles (tens of seconds on a
small CPU), the second finds Inductor's cache. Both are reported; the goal (issue 22) is >= 1.2x
the eager hand loop over a 20-epoch run, compile time included. The trainer's time here is its
whole fit (RunStarted's preparation, every epoch with validation), so it is the honest figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import torch
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import RunFinished, TrainConfig, Trainer

from bench.bench_training import CASES, hand_written

GOAL = 1.2


def compiled_run(project, data, config) -> tuple[float, str]:
    """Samples per second of a whole compiled run (set-up and compile included), and its note."""
    notes = []
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(project, data, config, device="cpu", run_dir=run_dir)
        trainer.subscribe(
            lambda e: notes.append(e.compile_note) if hasattr(e, "compile_note") else 0
        )
        start = time.perf_counter()
        result = trainer.run()
        seconds = time.perf_counter() - start
    if not isinstance(result, RunFinished):
        raise RuntimeError(result.message)
    return config.epochs * len(data.train) / seconds, notes[0] if notes else ""


def run_case(name: str, epochs: int) -> dict:
    template, make_data, _epochs, batch = CASES[name]
    project = load_project_or_template(template)
    data = make_data()
    config = TrainConfig.from_dict(project.training).replace(epochs=epochs, batch_size=batch)
    hand = hand_written(project, data, config, torch.device("cpu"))
    first, first_note = compiled_run(project, data, config.replace(compile=True))
    hand_again = hand_written(project, data, config, torch.device("cpu"))
    cached, cached_note = compiled_run(project, data, config.replace(compile=True))
    hand_rate = statistics.mean([hand, hand_again])
    return {
        "case": name,
        "hand": hand_rate,
        "first_ratio": first / hand_rate,
        "cached_ratio": cached / hand_rate,
        "notes": (first_note, cached_note),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.bench_compile")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--only", default="seed-mlp,seed-cnn")
    args = parser.parse_args(argv or [])
    print(f"compiled fast path on CPU ({os.cpu_count()} cores), {args.epochs} epochs, "
          f"compile time included; goal >= {GOAL}x the eager hand loop")  # fmt: skip
    rows, ok = [], True
    for name in args.only.split(","):
        row = run_case(name, args.epochs)
        rows.append(row)
        passed = row["cached_ratio"] >= GOAL
        ok = ok and passed
        print(f"  {name:<9} hand {row['hand']:>8,.0f}/s   first run {row['first_ratio']:.2f}x "
              f"({row['notes'][0]})   cached {row['cached_ratio']:.2f}x ({row['notes'][1]}) "
              f"{'ok' if passed else 'FALLS SHORT'}", flush=True)  # fmt: skip
    return {"name": "compile", "cases": rows, "ok": ok}


if __name__ == "__main__":
    main(sys.argv[1:])
