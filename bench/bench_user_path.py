"""The user's path: `neurocanvas train seed-cnn` timed end to end against the loop a user writes.

    python -m bench user_path

Both run as their own processes, as a user runs them: `neurocanvas train seed-cnn --data MNIST
--epochs 3 --batch-size 200 --optimizer adam --json`, whose final object gives the samples per
second of the whole run (set-up, every epoch with its validation and checkpoints, and the final
test), against a plain loop over the same 7,000 training images (random permutation, `x[idx]`
batches, PyTorch's default threads, no validation at all) on the same network. Rounds alternate
so both meet the same machine load; the ratio is the median of the rounds' ratios (issue 22:
measured 0.77x before; goal >= 1.0x).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "mnist"
EPOCHS, BATCH, TRAIN = 3, 200, 7000  # TRAIN: the template's 70% split of the 10,000 images
GOAL = 1.0

USER_LOOP = """
import json, sys, time
import torch, torch.nn.functional as F
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.data import DataConfig, load_dataset
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training import strip_head

epochs, batch, train = {epochs}, {batch}, {train}
data = load_dataset(DataConfig(source={source!r}, split=(1.0, 0.0, 0.0), seed=0))
x = ((data.x[:train].float() / 255.0) - 0.1307) / 0.3081
y = data.y[:train]
torch.manual_seed(0)
model = strip_head(compile_graph(load_template("seed-cnn").graph, auto=data.info.auto_sizes()))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
start = time.perf_counter()
for epoch in range(epochs):
    order = torch.randperm(len(x))
    for first in range(0, len(x), batch):
        idx = order[first:first + batch]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(json.dumps({{"samples_per_s": epochs * len(x) / (time.perf_counter() - start)}}))
"""


def _neurocanvas() -> list[str]:
    script = shutil.which("neurocanvas", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "neurocanvas.engine.cli"]


def _last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def cli_samples_per_s(out: Path) -> float:
    command = [*_neurocanvas(), "train", "seed-cnn", "--data", str(MNIST), "--epochs", str(EPOCHS),
               "--batch-size", str(BATCH), "--optimizer", "adam", "--json", "--out", str(out)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
    return _last_json(result.stdout)["samples_per_s"]


def user_loop_samples_per_s() -> float:
    script = USER_LOOP.format(epochs=EPOCHS, batch=BATCH, train=TRAIN, source=str(MNIST))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=900, check=True
    )
    return _last_json(result.stdout)["samples_per_s"]


def main(rounds: int = 3) -> dict:
    if not MNIST.is_dir():
        print(f"user path: no MNIST at {MNIST}; skipped")
        return {"name": "user_path", "ok": True, "skipped": True}
    ratios, cli, user = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(rounds):
            user.append(user_loop_samples_per_s())
            cli.append(cli_samples_per_s(Path(folder) / f"run-{round_number}"))
            ratios.append(cli[-1] / user[-1])
    ratio = statistics.median(ratios)
    ok = ratio >= GOAL
    print(f"user path on {os.cpu_count()} cores, seed-cnn, MNIST t10k, {EPOCHS} epochs, batch "
          f"{BATCH}, medians of {rounds} alternating rounds:")  # fmt: skip
    print(f"  plain user loop  {statistics.median(user):>8,.0f} samples/s (training only)")
    print(f"  neurocanvas train {statistics.median(cli):>7,.0f} samples/s (whole run)")
    print(f"  ratio {ratio:.2f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)}; goal >= {GOAL}x) "
          f"{'ok' if ok else 'FALLS SHORT'}")  # fmt: skip
    return {"name": "user_path", "ratio": ratio, "rounds": ratios, "ok": ok}


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
