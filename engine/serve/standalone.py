"""The prediction service: a FastAPI app over a model function, served by uvicorn.

Needs only numpy, FastAPI, uvicorn, onnxruntime (for ONNX files) and, by input kind, Pillow or
`tokenizers`: this file is copied, as it is, into an exported service folder as ``serve.py``
(with ``inputs.py`` as ``serve_inputs.py``), and there runs without NeuroCanvas:

    python serve.py [model.onnx] [--host 127.0.0.1] [--port 8000] [--workers N]

Endpoints: ``POST /predict`` (JSON, or a PNG/JPEG body for image models), ``GET /health``,
``GET /metadata``, and the OpenAPI page at ``/docs`` (schema at ``/openapi.json``). A bad request
is answered 4xx with ``{"error": ..., "field": ...}``, never a traceback; a body over
``MAX_BODY_BYTES`` gets 413.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

try:  # inside NeuroCanvas
    from . import inputs
except ImportError:  # an exported service folder: serve.py beside serve_inputs.py
    import serve_inputs as inputs  # type: ignore[no-redef]

MAX_BODY_BYTES = 8 * 1024 * 1024  # 8 MiB per request body
LOOPBACK = ("127.0.0.1", "localhost", "::1")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/jpg", "application/octet-stream")
MODEL_ENV = "SERVE_MODEL"  # the ONNX file a worker process loads (with --workers)
log = logging.getLogger("serve")

ModelFn = Callable[[np.ndarray], np.ndarray]


class Served:
    """A model ready to serve: its function (input array -> first output), spec and preprocessing."""

    def __init__(self, run: ModelFn, spec: dict[str, Any], pre: dict[str, Any] | None):
        self.run, self.spec, self.pre = run, spec, pre
        inputs.check_spec(spec)
        if pre is not None and not isinstance(pre, dict):
            raise inputs.SpecError("the saved preprocessing record is not a mapping")
        try:
            self.preparer = inputs.Preparer(spec, pre)
        except inputs.SpecError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as error:  # a damaged record
            raise inputs.SpecError(f"the saved preprocessing record is damaged ({error})") from None

    def predict(self, x: np.ndarray) -> list[dict[str, Any]]:
        try:
            out = self.run(x)
        except Exception as error:  # noqa: BLE001 - the runtime refusing values is bad input
            first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
            message = f"the model cannot run on these values ({first})"
            raise inputs.InputError("inputs", message) from None
        return inputs.predictions(self.spec, out)


# ---- ONNX ---------------------------------------------------------------------------------------
def load_onnx(path: str, threads: int = 0) -> Served:
    """An exported ONNX file with the spec and preprocessing NeuroCanvas stored in its metadata."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # noqa: BLE001 - a file onnxruntime cannot load
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise inputs.SpecError(f"{path}: not a loadable ONNX model ({first})") from None
    props = session.get_modelmeta().custom_metadata_map
    spec = _json_prop(props, "neurocanvas.serving", path) or _plain_spec(session, props, path)
    pre = _json_prop(props, "normalization", path)
    if len(session.get_inputs()) != 1:
        raise inputs.SpecError(f"{path}: models with several inputs cannot be served yet")
    name = session.get_inputs()[0].name
    dtype = np.int64 if spec["input"].get("dtype") == "int64" else np.float32

    def run(x: np.ndarray) -> np.ndarray:
        return session.run(None, {name: x.astype(dtype, copy=False)})[0]

    return Served(run, spec, pre)


def _json_prop(props: dict[str, str], key: str, path: str) -> Any:
    if key not in props:
        return None
    try:
        return json.loads(props[key])
    except ValueError:
        raise inputs.SpecError(f"{path}: its '{key}' metadata is not valid JSON") from None


def _plain_spec(session, props: dict[str, str], path: str) -> dict[str, Any]:
    """A spec for an ONNX file NeuroCanvas did not describe: raw arrays in, values out."""
    item = session.get_inputs()[0]
    shape = [d if isinstance(d, int) else 1 for d in item.shape[1:]]
    classes = _json_prop(props, "class_names", path) or []
    return {
        "name": os.path.basename(path),
        "task": "multiclass" if classes else "regression",
        "output": "probabilities" if classes else "values",
        "class_names": classes,
        "input": {
            "kind": "tensor",
            "shape": shape,
            "dtype": "int64" if "int64" in item.type else "float32",
        },
        "parity": None,
    }


# ---- the app ------------------------------------------------------------------------------------
def metadata(served: Served, max_body: int) -> dict[str, Any]:
    spec, pre = served.spec, dict(served.pre or {})
    if pre.get("tokenizer"):
        pre["tokenizer"] = f"(a tokenizers JSON record, {len(pre['tokenizer']):,} characters)"
    return {
        **spec,
        "preprocessing": pre,
        "limits": {"max_body_bytes": max_body, "max_batch": inputs.MAX_BATCH},
        "example": served.preparer.example_text(),
    }


def create_app(served: Served, max_body: int = MAX_BODY_BYTES) -> FastAPI:
    name = served.spec.get("name", "model")
    app = FastAPI(
        title=f"{name}: prediction service",
        description=f"Predictions from the trained model '{name}'. Send "
        f"{served.preparer.example_text()} to POST /predict. Bodies over {max_body:,} bytes "
        f"and batches over {inputs.MAX_BATCH} samples are refused (413).",
        version="1",
    )

    @app.exception_handler(inputs.InputError)
    async def _bad_input(_request, error: inputs.InputError):
        return JSONResponse({"error": error.message, "field": error.field}, error.status)

    @app.exception_handler(Exception)
    async def _unexpected(_request, error: Exception):
        log.exception("unexpected error while predicting")
        return JSONResponse({"error": "internal error; the server log has the details"}, 500)

    @app.get("/health", summary="Liveness: the model is loaded")
    def health() -> dict[str, Any]:
        return {"status": "ok", "model": name}

    @app.get("/metadata", summary="The model: name, input schema, classes, preprocessing, parity")
    def get_metadata() -> dict[str, Any]:
        return metadata(served, max_body)

    @app.post(
        "/predict",
        summary="Predict from raw inputs (table rows, images, texts or arrays)",
        openapi_extra={"requestBody": _request_doc(served), "responses": _response_doc()},
    )
    async def predict(request: Request) -> JSONResponse:
        body = await _read_body(request, max_body)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in IMAGE_TYPES:
            if served.preparer.kind != "image":
                raise inputs.InputError(
                    "body", f"this model takes {served.preparer.kind} input, not image bytes"
                )
            x = await run_in_threadpool(served.preparer.from_images, [body], "body")
        else:
            x = served.preparer.from_body(_parse_json(body))
        result = await run_in_threadpool(served.predict, x)
        # A response made here, not a returned dict: FastAPI's encoder walks every value first.
        return JSONResponse({"model": name, "predictions": result})

    return app


async def _read_body(request, max_body: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body:
        raise inputs.InputError("body", f"{int(declared):,} bytes; at most {max_body:,}", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise inputs.InputError("body", f"more than {max_body:,} bytes", 413)
        chunks.append(chunk)
    if not size:
        raise inputs.InputError("body", "empty request body", 400)
    return b"".join(chunks)


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise inputs.InputError("body", f"not valid JSON ({error.msg} at {where})", 400) from None
    except (UnicodeDecodeError, RecursionError, ValueError):
        raise inputs.InputError("body", "not valid JSON (UTF-8, nesting under 1000)", 400) from None


def curl_example(served: Served, url: str) -> str:
    """A `curl` line that gets a prediction from the service at `url` (http://host:port)."""
    import shlex

    if served.preparer.kind == "image":
        return f"curl -s {url}/predict -H 'Content-Type: image/png' --data-binary @image.png"
    body = json.dumps(served.preparer.example_body())
    return f"curl -s {url}/predict -H 'Content-Type: application/json' -d {shlex.quote(body)}"


def _request_doc(served: Served) -> dict[str, Any]:
    kind = served.preparer.kind
    example = served.preparer.example_body()
    content: dict[str, Any] = {
        "application/json": {"schema": {"type": "object"}, "example": example}
    }
    if kind == "image":
        content["image/png"] = {"schema": {"type": "string", "format": "binary"}}
        content["image/jpeg"] = {"schema": {"type": "string", "format": "binary"}}
    return {"required": True, "content": content}


def _response_doc() -> dict[str, Any]:
    error = {"application/json": {"example": {"error": "unknown column", "field": "rows[0].agee"}}}
    return {
        "400": {"description": "not JSON", "content": error},
        "413": {"description": "body or batch too large", "content": error},
        "422": {
            "description": "an input the model cannot take (the field is named)",
            "content": error,
        },
    }


# ---- running ------------------------------------------------------------------------------------
def loopback_warning(host: str) -> str | None:
    if host in LOOPBACK:
        return None
    return (
        f"serving on {host}: the model is reachable from the network, without authentication; "
        "use --host 127.0.0.1 to keep it on this machine"
    )


def run_server(
    app_or_factory: Any, host: str, port: int, workers: int = 1, app_dir: str | None = None
) -> None:
    """uvicorn on (host, port). With several workers `app_or_factory` is an import string of a
    factory ("module:function") that each worker process calls."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options = dict(host=host, port=port, log_level="warning", access_log=False)
    if workers == 1:
        uvicorn.run(app_or_factory, **options)
        return
    if app_dir:
        sys.path.insert(0, app_dir)  # the worker processes start with this path
    config = uvicorn.Config(app_or_factory, factory=True, workers=workers, **options)
    sock = config.bind_socket()
    # The workers rebuild this socket from its descriptor and asyncio then no longer sees a TCP
    # socket, so it skips TCP_NODELAY; set on the listening socket, every connection inherits
    # it. Without it each response's body waited ~40 ms behind its headers (Nagle + delayed ACK).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: the workers are stopped
        Multiprocess(config, sockets=[sock]).run()


def threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def app_from_env():
    """The factory a worker process calls (``python serve.py --workers N``)."""
    workers = int(os.environ.get("SERVE_WORKERS", "1"))
    served = load_onnx(os.environ[MODEL_ENV], threads_per_worker(workers))
    return create_app(served, int(os.environ.get("SERVE_MAX_BODY", MAX_BODY_BYTES)))


def main(argv: list[str] | None = None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="Serve an exported model over HTTP.")
    parser.add_argument("model", nargs="?", default=os.path.join(here, "model.onnx"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-body", type=int, default=MAX_BODY_BYTES, help="bytes per request")
    args = parser.parse_args(argv)
    warning = loopback_warning(args.host)
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)
    try:
        served = load_onnx(args.model, threads_per_worker(args.workers))
    except inputs.SpecError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}"
    print(f"Serving {served.spec.get('name', 'model')} on {url} (docs: {url}/docs)")
    print(f"Try: {curl_example(served, url)}", flush=True)
    if args.workers > 1:
        os.environ.update(
            {
                MODEL_ENV: os.path.abspath(args.model),
                "SERVE_WORKERS": str(args.workers),
                "SERVE_MAX_BODY": str(args.max_body),
            }
        )
        module = os.path.splitext(os.path.basename(__file__))[0]
        run_server(f"{module}:app_from_env", args.host, args.port, args.workers, app_dir=here)
    else:
        run_server(create_app(served, args.max_body), args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
