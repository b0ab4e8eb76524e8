"""`neurocanvas export --format service --out FOLDER`: a prediction service that runs without
NeuroCanvas. The folder holds

    model.onnx        the verified ONNX export (spec, preprocessing and parity in its metadata)
    serve.py          engine/serve/standalone.py as it is (FastAPI + uvicorn + onnxruntime)
    serve_inputs.py   engine/serve/inputs.py as it is (request decoding, numpy preprocessing)
    requirements.txt  numpy, onnxruntime, fastapi, uvicorn, httptools, uvloop (+ Pillow for
                      images, tokenizers for text)
    Dockerfile        python:3.12-slim, `python serve.py --host 0.0.0.0` (documented, not built here)
    README.md         how to run it and a curl line

The two Python files are checked before the folder is moved into place: they parse, import nothing
of NeuroCanvas, and the saved spec turns an example request into an input the ONNX model runs on.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..export.parity import ExportError, ExportResult, Stopwatch
from . import inputs, standalone

REQUIREMENTS = {
    "numpy": "numpy>=1.24",
    "onnxruntime": "onnxruntime>=1.18",
    "fastapi": "fastapi>=0.110",
    "uvicorn": "uvicorn>=0.29",
    "httptools": "httptools>=0.6",  # uvicorn's fast parser and loop (picked up when installed)
    "uvloop": "uvloop>=0.19; sys_platform != 'win32'",
    "image": "pillow>=10.0",
    "text": "tokenizers>=0.19",
}
# What serve.py and serve_inputs.py may import: the standard library, the web stack, the runtime.
ALLOWED_IMPORTS = {"numpy", "fastapi", "starlette", "uvicorn", "onnxruntime", "PIL", "tokenizers"}
ALLOWED_IMPORTS |= {"serve_inputs", "__future__"}

DOCKERFILE = """\
# The prediction service for "{name}" (written by NeuroCanvas; not built by it).
#   docker build -t {tag} .
#   docker run --rm -p 127.0.0.1:8000:8000 {tag}
# Inside a container the server must listen on all of the container's interfaces (0.0.0.0); the
# -p 127.0.0.1:8000:8000 above still publishes it on this machine's loopback only. Put it behind a
# load balancer or a reverse proxy (TLS, authentication) before exposing it to a network.
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY model.onnx serve.py serve_inputs.py ./
EXPOSE 8000
USER nobody
CMD ["python", "serve.py", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
"""

README = """\
# {name}: prediction service

Written by NeuroCanvas. Runs without NeuroCanvas (Python 3.10+):

    python -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/python serve.py                 # http://127.0.0.1:8000, docs at /docs

Options: `--host` (default 127.0.0.1, loopback only; any other address is reachable from the
network, without authentication), `--port` (8000), `--workers` (1), `--max-body` (bytes per
request, default {max_body:,}). At most {max_batch} samples per request.

    {curl}

Endpoints: POST /predict, GET /health, GET /metadata (input schema, classes, preprocessing,
the export's parity figure), GET /docs (OpenAPI). The Dockerfile builds the same service.
"""


def export_service(source, out: str | os.PathLike, **options) -> ExportResult:
    """Write the service folder `out` (see the module docstring); replaced only once complete."""
    from ..export.onnx_export import export_onnx

    out = Path(out)
    clock = Stopwatch()
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        result = export_onnx(source, temp / "model.onnx", **options)
        here = Path(__file__).parent
        shutil.copyfile(here / "standalone.py", temp / "serve.py")
        shutil.copyfile(here / "inputs.py", temp / "serve_inputs.py")
        for name in ("serve.py", "serve_inputs.py"):
            check_standalone(temp / name)
        served = _check_model(temp / "model.onnx")
        kind = served.preparer.kind
        wanted = ["numpy", "onnxruntime", "fastapi", "uvicorn", "httptools", "uvloop"] + [
            k for k in ("image", "text") if k == kind
        ]
        (temp / "requirements.txt").write_text("\n".join(REQUIREMENTS[k] for k in wanted) + "\n")
        name = source.project.name
        tag = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "model"
        (temp / "Dockerfile").write_text(DOCKERFILE.format(name=name, tag=tag))
        curl = standalone.curl_example(served, "http://127.0.0.1:8000")
        (temp / "README.md").write_text(
            README.format(
                name=name,
                curl=curl,
                max_body=standalone.MAX_BODY_BYTES,
                max_batch=inputs.MAX_BATCH,
            )
        )
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        temp.rename(out)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    files = sorted(out.iterdir())
    return ExportResult(
        "service",
        out,
        sum(f.stat().st_size for f in files),
        clock.seconds,
        result.max_abs_diff,
        result.batch_sizes,
        list(source.warnings),
        files,
        dict(result.details),
    )


def check_standalone(path: Path) -> None:
    """`path` parses and imports only the standard library and ALLOWED_IMPORTS."""
    import sys

    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # `from . import inputs`: the NeuroCanvas side of a try/except
                continue
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top not in ALLOWED_IMPORTS and top not in sys.stdlib_module_names:
                raise ExportError(f"{path.name} imports {name}, which the service does not ship")


def _check_model(path: Path) -> standalone.Served:
    """The model with its saved spec, run once on the spec's own example request."""
    try:
        served = standalone.load_onnx(str(path))
    except inputs.SpecError as error:
        raise ExportError(f"the service cannot load its model: {error}") from None
    example = served.preparer.example_body()
    if served.preparer.kind == "image":
        import numpy as np

        x = served.preparer.prepare(np.zeros([1, *served.preparer.shape], np.uint8))
    else:
        x = served.preparer.from_body(json.loads(json.dumps(example)))
    served.predict(x)
    return served
