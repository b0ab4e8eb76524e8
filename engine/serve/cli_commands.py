"""`neurocanvas serve RUN_OR_EXPORT [--host 127.0.0.1] [--port 8000] [--workers N]`.

Loads the model first (a bad path or file is bad input, status 2, before any port is bound), warns
when the host is not loopback, prints the URL and a `curl` line, then runs uvicorn until Ctrl+C.
With `--workers N` uvicorn starts N processes, each loading the model through `app_from_env`."""

from __future__ import annotations

import os
import sys

ENV_MODEL = "NEUROCANVAS_SERVE_MODEL"
ENV_WORKERS = "NEUROCANVAS_SERVE_WORKERS"
ENV_MAX_BODY = "NEUROCANVAS_SERVE_MAX_BODY"
MAX_WORKERS = 64


def register_commands(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve a trained model over HTTP: POST /predict, GET /health, GET /metadata, /docs",
    )
    parser.add_argument(
        "model",
        metavar="RUN_OR_EXPORT",
        help="a run folder (its best.pt), a checkpoint (.pt), an exported .onnx file or an "
        "exported service folder",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: loopback only)"
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.set_defaults(handler=run_serve)


def run_serve(args) -> int:
    from ..cli import UsageError
    from .sources import ServeError, open_model
    from .standalone import MAX_BODY_BYTES, loopback_warning, threads_per_worker

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, got {args.port}")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be from 1 to {MAX_WORKERS}, got {args.workers}")
    try:
        served = open_model(args.model, threads_per_worker(args.workers))
    except ServeError as error:
        raise UsageError(str(error)) from None
    warning = loopback_warning(args.host)
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)
    _announce(served, args.host, args.port)
    if args.workers > 1:
        os.environ.update(
            {
                ENV_MODEL: os.path.abspath(args.model),
                ENV_WORKERS: str(args.workers),
                ENV_MAX_BODY: str(MAX_BODY_BYTES),
            }
        )
        _run(f"{__name__}:app_from_env", args)
    else:
        from .standalone import create_app

        _run(create_app(served), args)
    return 0


def _announce(served, host: str, port: int) -> None:
    from .standalone import curl_example

    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    spec = served.spec
    parity = (spec.get("parity") or {}).get("max_abs_diff")
    checked = f"; ONNX parity {parity:.2e}" if parity is not None else ""
    print(
        f"Serving '{spec.get('name', 'model')}' ({spec['input']['kind']} input, "
        f"{spec.get('task', '?')}{checked}) on {url}; API docs at {url}/docs. Ctrl+C stops it."
    )
    print(f"Try: {curl_example(served, url)}", flush=True)


def _run(app, args) -> None:
    from ..cli import UsageError
    from .standalone import run_server

    try:
        run_server(app, args.host, args.port, args.workers)
    except SystemExit as stop:  # uvicorn exits 1 when it cannot bind (its log says why)
        if stop.code not in (0, None):
            raise UsageError(
                f"could not serve on {args.host}:{args.port} (in use, or not an address of "
                "this machine?)"
            ) from None


def app_from_env():
    """The factory each worker process calls (`--workers N`)."""
    from .sources import open_model
    from .standalone import MAX_BODY_BYTES, create_app, threads_per_worker

    workers = int(os.environ.get(ENV_WORKERS, "1"))
    served = open_model(os.environ[ENV_MODEL], threads_per_worker(workers))
    return create_app(served, int(os.environ.get(ENV_MAX_BODY, MAX_BODY_BYTES)))
