"""The local web server behind the Netron view: netron's page files, and one model file only.

Why not `netron.serve`: it serves every file in the model's folder under `/data/` (a dataset or a
secret beside an export could be read) and never checks the `Host` header, so a web page using DNS
rebinding could read them through the user's browser. Here the model is copied into a private
temporary folder and served under a random token path; any other `/data/` path is 404; a request
whose `Host` is not this server's own loopback address is 403. The original file name reaches the
page only HTML-escaped. No Qt here: the server is plain Python and testable without a window.
"""

from __future__ import annotations

import html
import http.server
import os
import re
import secrets
import shutil
import tempfile
import threading
import urllib.parse
from pathlib import Path

_MIME_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".ttf": "font/truetype",
    ".otf": "font/opentype",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
}
_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,12}$")


def _netron_dir() -> Path:
    import netron  # its page files live in the package folder

    return Path(netron.__file__).resolve().parent


class NetronServer:
    """Serves one model file to netron's page on 127.0.0.1 (an OS-chosen port) until `stop()`."""

    def __init__(self, model: str | os.PathLike) -> None:
        source = Path(model)
        if not source.is_file():
            raise FileNotFoundError(f"{source} is not a file")
        import netron

        self.version = netron.__version__
        self.static_dir = _netron_dir()
        self.original_name = source.name
        suffix = source.suffix if _SAFE_SUFFIX.match(source.suffix) else ".onnx"
        self._private = Path(tempfile.mkdtemp(prefix="neurocanvas-netron-"))
        self.model_file = self._private / f"model{suffix.lower()}"
        shutil.copyfile(source, self.model_file)  # later changes to the export do not leak in
        self.data_path = f"/data/{secrets.token_urlsafe(16)}/{self.model_file.name}"
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.address: tuple[str, int] = self._httpd.server_address[:2]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.address[0]}:{self.address[1]}/"

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def allowed_hosts(self) -> set[str]:
        port = self.address[1]
        return {f"127.0.0.1:{port}", f"localhost:{port}"}

    def stop(self) -> None:
        """Stop serving and delete the private copy; safe to call twice."""
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=2)
        shutil.rmtree(self._private, ignore_errors=True)

    # ---- what a path answers ------------------------------------------------------------------
    def content(self, path: str) -> tuple[int, str | None, bytes | None]:
        """(status, content type, body) for a request path."""
        if path == self.data_path:
            return 200, "application/octet-stream", self.model_file.read_bytes()
        if path.startswith("/data/"):
            return 404, None, None
        if path == "/":
            path = "/index.html"
        target = (self.static_dir / urllib.parse.unquote(path).lstrip("/")).resolve()
        mime = _MIME_TYPES.get(target.suffix)
        inside = target.is_relative_to(self.static_dir)
        if not (inside and mime and target.is_file()):
            return 404, None, None
        body = target.read_bytes()
        if target.name == "index.html" and target.parent == self.static_dir:
            body = self._index_page(body.decode("utf-8")).encode("utf-8")
        elif target.name == "view.js" and target.parent == self.static_dir:
            body = with_drawable_brackets(body)
        return 200, mime, body

    def _index_page(self, page: str) -> str:
        meta = "\n".join(
            [
                '<meta name="type" content="Python">',
                f'<meta name="version" content="{html.escape(self.version)}">',
                f'<meta name="file" content="{self.data_path}">',
                f'<meta name="name" content="{html.escape(self.original_name, quote=True)}">',
                f'<meta name="identifier" content="{self.model_file.name}">',
            ]
        )
        return re.sub(r'<meta name="version" content=".*">', lambda _: meta, page, count=1)


# Netron wraps tensor shapes in CJK angle brackets ("W〈16×1×5×5〉", U+3008/U+3009) and names
# "PingFang SC", a macOS font, for them; no font installed on a usual Linux has those glyphs, so
# the page drew missing-glyph boxes. The mathematical angle brackets U+27E8/U+27E9 look the same
# and are in DejaVu Sans (the sans-serif font the page falls back to). Both forms are replaced:
# the `\u3008` escapes in netron's source and the characters themselves.
BRACKETS = {
    b"\\u3008": b"\\u27E8",
    b"\\u3009": b"\\u27E9",
    "\u3008".encode(): "\u27e8".encode(),
    "\u3009".encode(): "\u27e9".encode(),
}


def with_drawable_brackets(script: bytes) -> bytes:
    for old, new in BRACKETS.items():
        script = script.replace(old, new)
    return script


def _handler_for(server: NetronServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.headers.get("Host", "") not in server.allowed_hosts():
                self._reply(403, "text/plain", b"403")  # DNS rebinding: not our own address
                return
            status, mime, body = server.content(urllib.parse.urlparse(self.path).path)
            self._reply(status, mime or "text/plain", body if body is not None else b"404")

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def _reply(self, status: int, mime: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", mime)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format, *args) -> None:  # noqa: A002 - quiet: no stderr lines
            pass

    return Handler
