"""An image folder end to end: `neurocanvas train` on a folder of small PNGs against the loop a
PyTorch user writes for it (torchvision `ImageFolder` + `DataLoader(num_workers=2)`).

    python -m bench image_folder          (NEUROCANVAS_BENCH_IMAGES=2000 for a quick look)

The bench writes 20,000 28x28 grayscale PNGs in 10 class folders (digits drawn as noisy strokes),
then times, each as its own process from start to exit (imports, decoding, every epoch):
`neurocanvas train seed-cnn --data FOLDER --epochs 3 --batch-size 128` (which decodes the folder
once into memory, then trains from tensors, with validation each epoch) against ImageFolder +
DataLoader over the same 70% of the images, decoding every image every epoch in two worker
processes, on the same network, with no validation. Rounds alternate; the ratio is the median of
the rounds' ratios of images trained per second (issue 22's goal: >= 1.0x).

Data larger than memory: `load_dataset` refuses an image folder whose decoded pixels would pass
the memory budget (data/limits.py) and names `ImageFolderStream` (data/streaming.py), which
decodes on demand through a DataLoader, so memory is bounded by the workers' prefetch.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

IMAGES = int(os.environ.get("NEUROCANVAS_BENCH_IMAGES", "20000"))
EPOCHS, BATCH, ROUNDS = 3, 128, 2
GOAL = 1.0

USER_LOOP = """
import sys, torch, torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training import strip_head

folder, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gray = transforms.Compose([transforms.Grayscale(), transforms.ToTensor()])
images = datasets.ImageFolder(folder, transform=gray)
order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
train = Subset(images, order[: int(len(images) * 0.7)].tolist())
loader = DataLoader(train, batch_size=batch, shuffle=True, num_workers=2)
torch.manual_seed(0)
graph = load_template("seed-cnn").graph
model = strip_head(compile_graph(graph, auto=AutoSizes((1, 28, 28), 10)))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(epochs):
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""


def write_images(folder: Path, count: int) -> None:
    """`count` 28x28 grayscale PNGs, one folder per class, each a noisy stroke that depends on
    its class (a learnable set, so both runs do real work)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    grid = np.mgrid[0:28, 0:28].astype(np.float32)
    for index in range(count):
        label = index % 10
        angle = np.pi * label / 10 + rng.normal(0, 0.1)
        distance = np.abs(np.cos(angle) * (grid[0] - 14) - np.sin(angle) * (grid[1] - 14))
        pixels = np.clip(255 * np.exp(-distance / 2) + rng.normal(0, 20, (28, 28)), 0, 255)
        target = folder / str(label)
        target.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels.astype(np.uint8), mode="L").save(target / f"{index:05d}.png")


def _seconds(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def _neurocanvas_command(folder: Path, out: Path) -> list[str]:
    return [
        *[sys.executable, "-m", "neurocanvas.engine.cli", "train", "seed-cnn"],
        *["--data", str(folder), "--epochs", str(EPOCHS), "--batch-size", str(BATCH)],
        *["--optimizer", "adam", "--json", "--out", str(out)],
    ]


def main() -> dict:
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        folder = work_dir / "images"
        start = time.perf_counter()
        write_images(folder, IMAGES)
        print(f"wrote {IMAGES:,} PNGs in {time.perf_counter() - start:.1f} s")
        script = work_dir / "user_loop.py"
        script.write_text(USER_LOOP)
        trained = EPOCHS * int(IMAGES * 0.7)
        ratios = []
        for round_index in range(ROUNDS):
            out = work_dir / f"run{round_index}"
            ours = _seconds(_neurocanvas_command(folder, out), work_dir)
            theirs = _seconds(
                [sys.executable, str(script), str(folder), str(EPOCHS), str(BATCH)], work_dir
            )
            ratios.append(theirs / ours)
            print(
                f"round {round_index + 1}: neurocanvas {trained / ours:,.0f} images/s "
                f"({ours:.1f} s), ImageFolder + DataLoader(2 workers) {trained / theirs:,.0f} "
                f"images/s ({theirs:.1f} s): {theirs / ours:.2f}x"
            )
        ratio = statistics.median(ratios)
        ok = ratio >= GOAL
        print(
            f"image folder, {IMAGES:,} PNGs, {EPOCHS} epochs, {os.cpu_count()} cores: "
            f"{ratio:.2f}x ImageFolder + DataLoader (goal >= {GOAL:g}x) "
            f"{'ok' if ok else 'FALLS SHORT'}"
        )
        return {"ok": ok, "ratio": ratio, "ratios": ratios}


if __name__ == "__main__":
    print(json.dumps(main()))
