"""The prediction service under load (loopback only, bounded): requests per second and p50/p99
latency at 1, 8 and 32 concurrent clients for the seed CNN (a 28x28 PNG per request) and the
tabular model (one iris row as JSON), served from the exported service folder by
`serve.py --workers 2`, against the same work done in-process (the same decoding and
preprocessing, then onnxruntime) by as many threads. The ratio is what HTTP costs.

Goal (issue 21): at 8 clients at least 0.7x the in-process throughput, p99 under 50 ms for the
tabular model, zero errors. Each level sends at most REQUESTS requests or runs SECONDS seconds.
The weights are the templates' initial ones: the work per request does not depend on them.
"""

from __future__ import annotations

import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CLIENTS = (1, 8, 32)
REQUESTS = 3000  # per level, at most
SECONDS = 5.0  # per level, at most
WORKERS = 2
GOAL_RATIO, GOAL_P99_MS = 0.7, 50.0


def _services(folder: Path) -> dict[str, tuple[Path, dict]]:
    """Export both models as service folders; (folder, request) per model."""
    import numpy as np
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.data.preprocessing import Preprocessing
    from neurocanvas.engine.export import load_source
    from neurocanvas.engine.serve.service import export_service
    from PIL import Image

    cnn = load_source("seed-cnn", seed=0)
    cnn.preprocessing = Preprocessing(
        kind="image",
        mean=__import__("torch").tensor([[[0.1307]]]),
        std=__import__("torch").tensor([[[0.3081]]]),
        scale=1 / 255,
        feature_shape=(1, 28, 28),
        class_names=[str(i) for i in range(10)],
    ).to_dict()
    cnn.class_names = [str(i) for i in range(10)]
    png = io.BytesIO()
    pixels = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    Image.fromarray(pixels, "L").save(png, "PNG")
    cfg = DataConfig(source="iris")
    iris = prepare(load_dataset(cfg), cfg)
    table = load_source("tabular-mlp", auto=iris.info.auto_sizes(), seed=0)
    table.preprocessing, table.class_names = iris.preprocessing.to_dict(), iris.class_names
    names = [c["name"] for c in iris.preprocessing.table["columns"]]
    row = dict(zip(names, [5.1, 3.5, 1.4, 0.2]))
    out = {}
    for name, source, request in (
        ("seed CNN", cnn, {"content": png.getvalue(), "type": "image/png"}),
        (
            "tabular",
            table,
            {"content": json.dumps({"rows": [row]}).encode(), "type": "application/json"},
        ),
    ):
        target = folder / name.replace(" ", "-")
        export_service(source, target)
        out[name] = (target, request)
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(folder: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(folder / "serve.py"), "--port", str(port), "--workers", str(WORKERS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the service did not start within 120 s")


def _load(clients: int, call) -> dict:
    """`clients` threads calling `call()` until REQUESTS are done or SECONDS have passed."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    count = [0]
    stop = time.perf_counter() + SECONDS

    def worker(make):
        do = make()
        while True:
            with lock:
                if count[0] >= REQUESTS or time.perf_counter() > stop:
                    return
                count[0] += 1
            start = time.perf_counter()
            ok = do()
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker, args=(call,)) for _ in range(clients)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - begin
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "errors": errors[0],
        "n": len(latencies),
    }


def _http_call(url: str, request: dict):
    """A keep-alive connection per client (http.client: the lightest client in Python, so the
    figures measure the server more than the load generator, which shares the cores)."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(url)

    def make():
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        headers = {"Content-Type": request["type"]}

        def do() -> bool:
            try:
                if connection.sock is None:
                    connection.connect()
                    # As curl and browsers do: without it the body can wait ~40 ms behind the
                    # headers for the server's delayed ACK (Nagle).
                    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                connection.request("POST", "/predict", request["content"], headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                return False
            return response.status == 200

        return do

    return make


def _inprocess_call(folder: Path, request: dict):
    from neurocanvas.engine.serve import standalone

    served = standalone.load_onnx(str(folder / "model.onnx"), threads=1)

    def make():
        def do() -> bool:
            if request["type"] == "image/png":
                x = served.preparer.from_images([request["content"]])
            else:
                x = served.preparer.from_body(json.loads(request["content"]))
            served.predict(x)
            return True

        return do

    return make


def main() -> dict:
    ok = True
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (folder, request) in _services(Path(tmp)).items():
            inproc = {n: _load(n, _inprocess_call(folder, request)) for n in CLIENTS}
            proc, url = _start(folder)
            try:
                served = {n: _load(n, _http_call(url, request)) for n in CLIENTS}
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            for n in CLIENTS:
                s, i = served[n], inproc[n]
                ratio = s["rps"] / i["rps"]
                print(
                    f"{name:9s} {n:2d} clients: HTTP {s['rps']:7.1f} req/s p50 {s['p50_ms']:6.1f} "
                    f"ms p99 {s['p99_ms']:6.1f} ms errors {s['errors']} | in-process "
                    f"{i['rps']:7.1f} req/s p50 {i['p50_ms']:5.1f} ms | ratio {ratio:.2f}x"
                )
                figures[f"{name} {n}"] = {"http": s, "inprocess": i, "ratio": ratio}
                ok &= s["errors"] == 0
            at8 = figures[f"{name} 8"]
            goal = at8["ratio"] >= GOAL_RATIO
            if name == "tabular":
                goal &= at8["http"]["p99_ms"] < GOAL_P99_MS
            ok &= goal
            print(f"{name}: goal at 8 clients {'met' if goal else 'NOT met'}")
    cores = os.cpu_count()
    print(f"(--workers {WORKERS}, {cores} cores; clients share the machine with the server)")
    return {"ok": ok, **figures}


if __name__ == "__main__":
    main()
