"""Small data made here (a table with numbers, categories and missing cells; PNG images of three
classes; labelled texts), tiny projects trained on them through the CLI, and a real server started
on a free loopback port in a subprocess."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

CITIES = [f"c{i:02d}" for i in range(12)]  # 12 values: ordinal-coded (more than max_onehot 10)
# A blocker for `import neurocanvas`, so serve.py is shown to run without NeuroCanvas.
NO_NEUROCANVAS = """
import os, runpy, sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name == "neurocanvas" or name.startswith("neurocanvas."):
            raise ImportError(f"serve.py imported {name}")
        return None
sys.meta_path.insert(0, Blocker())
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def make_table(path: Path, rows: int = 240) -> Path:
    rng = np.random.default_rng(0)
    lines = ["age,income,color,city,note,label"]
    for i in range(rows):
        age = int(rng.integers(18, 80))
        income = "" if i % 17 == 0 else f"{rng.normal(50, 15):.2f}"  # missing: filled with mean
        color = str(rng.choice(["red", "green", "blue"]))
        city = str(rng.choice(CITIES))
        label = "yes" if (age > 45) ^ (color == "red") else "no"
        lines.append(f"{age},{income},{color},{city},n{i},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def make_images(folder: Path, per_class: int = 30) -> Path:
    from PIL import Image

    rng = np.random.default_rng(1)
    for name, box in (("tl", np.s_[:6, :6]), ("br", np.s_[6:, 6:]), ("mid", np.s_[3:9, 3:9])):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = rng.integers(0, 60, (12, 12)).astype(np.uint8)
            pixels[box] += 150
            Image.fromarray(pixels, "L").save(folder / name / f"{i}.png")
    return folder


GOOD = ["good great fine", "great movie good", "fine good nice", "nice great &amp; good"]
BAD = ["bad awful poor", "awful movie bad", "poor bad worse", "worse awful"]


def make_texts(path: Path) -> Path:
    lines = ["text\tlabel"]
    for i in range(40):
        lines += [f"{GOOD[i % 4]}\tpos", f"{BAD[i % 4]}\tneg"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _project(name: str, layers, data: dict, input_params: dict) -> dict:
    nodes = [{"id": "input", "type": "Input", "params": input_params}]
    edges = []
    for i, (kind, params) in enumerate(layers):
        nodes.append({"id": f"n{i}", "type": kind, "params": params})
        edges.append({"from": [nodes[-2]["id"], 0], "to": [f"n{i}", 0]})
    return {
        "format": "neurocanvas",
        "version": 2,
        "name": name,
        "graph": {"nodes": nodes, "edges": edges},
        "data": {**data, "split": [0.7, 0.15, 0.15], "seed": 0},
        "training": {
            "optimizer": {"type": "Adam", "lr": 0.01},
            "loss": "auto",
            "epochs": 6,
            "batch_size": 16,
        },
    }


def projects(data: Path) -> dict[str, dict]:
    head = ("Dense", {"units": "auto", "activation": "sigmoid"})
    return {
        "table": _project(
            "Table model",
            [("Dense", {"units": 16, "activation": "relu"}), head],
            {
                "source": str(data / "table.csv"),
                "target": "label",
                "missing": "mean",
                "params": {"ignore": ["note"]},
            },
            {"shape": "auto"},
        ),
        "image": _project(
            "Image model",
            [
                ("Conv2d", {"out_channels": 4, "kernel_size": 3, "activation": "relu"}),
                ("Flatten", {}),
                ("Dense", {"units": "auto", "activation": "softmax"}),
            ],
            {"source": str(data / "images")},
            {"shape": "auto"},
        ),
        "text": _project(
            "Text model",
            [("Embedding", {"num_embeddings": 64, "embedding_dim": 8}), ("Flatten", {}), head],
            {
                "source": str(data / "texts.tsv"),
                "target": "label",
                "params": {"layout": "text", "text": "text", "length": 6, "vocab_size": 64},
            },
            {"shape": "auto", "dtype": "int64"},
        ),
    }


def train_all(root: Path) -> dict[str, dict[str, Path]]:
    """Data, project and run folder of each kind (trained through `neurocanvas train`)."""
    from neurocanvas.engine.cli import main

    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    files = {
        "table": make_table(data / "table.csv"),
        "image": make_images(data / "images"),
        "text": make_texts(data / "texts.tsv"),
    }
    out = {}
    for kind, project in projects(data).items():
        path = root / f"{kind}.json"
        path.write_text(json.dumps(project))
        run = root / f"run-{kind}"
        assert main(["train", str(path), "--out", str(run)]) == 0
        out[kind] = {"data": files[kind], "project": path, "run": run}
    return out


def table_rows(path: Path) -> list[dict[str, str]]:
    """The file's rows as the raw strings the file holds (what a client would send)."""
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(command: list[str], timeout: float = 180.0):
    """Start `command` + --port on a free loopback port; yield its base URL once /health answers."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"the server exited ({proc.returncode}): {proc.stdout.read()}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not answer within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def neurocanvas_serve(path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "neurocanvas.engine.cli", "serve", str(path), *extra]


def standalone_serve(folder: Path, *extra: str) -> list[str]:
    """serve.py of an exported folder, run with `import neurocanvas` blocked."""
    return [sys.executable, "-c", NO_NEUROCANVAS, str(folder / "serve.py"), *extra]
