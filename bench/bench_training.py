"""Training throughput: the NeuroCanvas trainer against a minimal hand-written PyTorch loop over the
same tensors, same compiled network, batch order and optimizer, measured in one run, alternating.

    python -m bench.bench_training [--device cpu|cuda] [--repeats N] [--only seed-cnn,xor]

Cases: seed-cnn and seed-mlp on MNIST t10k (the first 8,000 images, batch 200, Adam, 3 epochs) and
xor (400 points, batch 32, 100 epochs: tiny steps expose per-batch overhead). The trainer runs with
its defaults (metrics, events, checkpoints and logs on); its time runs from RunStarted to the last
EpochEnded, so it excludes set-up and the final test evaluation but includes every per-epoch cost.
The hand loop uses the same thread count the trainer picks, and `index_select` to gather a batch
(on CPU the common `x[index]` idiom is several times slower for image batches, which would flatter the
trainer). Goal: trainer >= 0.95x the hand loop.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.data import DataConfig, Dataset, load_dataset, prepare
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import EpochEnded, RunStarted, TrainConfig, Trainer, strip_head
from neurocanvas.engine.training.devices import (
    amp_dtype,
    autocast,
    choose_threads,
    resolve_device,
    step_flops,
)

MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "mnist"
GOAL = 0.95


def mnist_8000():
    cfg = DataConfig(source=str(MNIST), split=(1.0, 0.0, 0.0), seed=0)
    ds = load_dataset(cfg)
    return prepare(Dataset(ds.x[:8000], ds.y[:8000], ds.info), cfg)


def xor_400():
    cfg = DataConfig(source="xor", params={"n": 400, "noise": 0.1}, split=(1.0, 0.0, 0.0), seed=0)
    return prepare(load_dataset(cfg), cfg)


CASES = {  # name: (template, data, epochs, batch size)
    "seed-cnn": ("seed-cnn", mnist_8000, 3, 200),
    "seed-mlp": ("seed-mlp", mnist_8000, 3, 200),
    "xor": ("xor", xor_400, 100, 32),
}


def hand_written(project, data, config, device) -> float:
    """Samples per second of the plainest loop: shuffle, slice, forward, loss, backward, step."""
    info = data.info
    auto = info.auto_sizes()
    model = strip_head(compile_graph(project.graph, auto=auto, seed=config.seed)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.optimizer.lr)
    generator = torch.Generator().manual_seed(config.seed)
    x, y = data.train.x.to(device), data.train.y.to(device)
    binary = info.num_outputs == 1
    if binary:
        y = y.float().reshape(-1, 1)
    dtype = amp_dtype(device)
    size = config.batch_size
    _sync(device)
    start = time.perf_counter()
    for _ in range(config.epochs):
        order = torch.randperm(len(x), generator=generator).to(device)
        for first in range(0, len(x), size):
            index = order[first : first + size]
            xb, yb = x.index_select(0, index), y.index_select(0, index)
            with autocast(device, dtype):
                out = model(xb)
            out = out.float()
            loss = (
                F.binary_cross_entropy_with_logits(out, yb) if binary else F.cross_entropy(out, yb)
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    _sync(device)
    return config.epochs * len(x) / (time.perf_counter() - start)


def neurocanvas(project, data, config, device) -> float:
    times = {}

    def clock(event):
        if isinstance(event, (RunStarted, EpochEnded)):
            _sync(device)
            times.setdefault("start", time.perf_counter())
            times["end"] = time.perf_counter()

    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(project, data, config, device=str(device), run_dir=run_dir)
        trainer.subscribe(clock)
        result = trainer.run()
    if type(result).__name__ != "RunFinished":
        raise RuntimeError(result.message)
    return config.epochs * len(data.train) / (times["end"] - times["start"])


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def run_case(name, device, repeats):
    template, make_data, epochs, batch = CASES[name]
    project = load_project_or_template(template)
    data = make_data()
    config = TrainConfig.from_dict(project.training).replace(epochs=epochs, batch_size=batch)
    if device.type == "cpu":
        auto = data.info.auto_sizes()
        probe = compile_graph(project.graph, auto=auto, seed=0)
        threads = choose_threads(None, step_flops(probe, data.train.x[:1], batch))
        torch.set_num_threads(threads)
    hand, ours = [], []
    for _ in range(repeats):  # alternate, so both see the same machine load; keep the best
        hand.append(hand_written(project, data, config, device))
        ours.append(neurocanvas(project, data, config, device))
    pairs = sorted(o / h for h, o in zip(hand, ours))
    return {
        "pair_ratio_median": pairs[len(pairs) // 2],
        "case": name,
        "hand_samples_per_s": max(hand),
        "trainer_samples_per_s": max(ours),
        "ratio": max(ours) / max(hand),
        "threads": torch.get_num_threads(),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.bench_training")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default=",".join(CASES))
    args = parser.parse_args(argv or [])
    device = resolve_device(args.device)
    threads = torch.get_num_threads()
    print(
        f"training throughput on {device} (trainer vs hand-written loop, best of "
        f"{args.repeats}; goal >= {GOAL}x on seed-cnn)"
    )
    rows = []
    for name in args.only.split(","):
        row = run_case(name, device, args.repeats)
        torch.set_num_threads(threads)
        rows.append(row)
        print(
            f"  {name:<9} hand {row['hand_samples_per_s']:>10,.0f}/s   trainer "
            f"{row['trainer_samples_per_s']:>10,.0f}/s   ratio {row['ratio']:.3f}x (paired median {row['pair_ratio_median']:.3f}x) "
            f"({row['threads']} thread{'s' if row['threads'] > 1 else ''})",
            flush=True,
        )
    cnn = next((r for r in rows if r["case"] == "seed-cnn"), None)
    return {
        "name": "training",
        "device": str(device),
        "cases": rows,
        "ok": cnn is None or cnn["ratio"] >= GOAL,
    }


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
