"""The Netron server shows the one model asked for and nothing else: no sibling file, no path
outside, no answer to a page that reached it under another host name (DNS rebinding)."""

from __future__ import annotations

import http.client

import pytest
from neurocanvas.gui.netron_server import NetronServer


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"\x08\x07onnx bytes")
    (folder / "secret.txt").write_text("do not serve")
    server = NetronServer(folder / "model.onnx")
    yield server
    server.stop()


def _get(server: NetronServer, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*server.address, timeout=5)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", f"127.0.0.1:{server.address[1]}" if host is None else host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_the_page_points_at_the_model_by_its_token_path(served):
    status, page = _get(served, "/")
    assert status == 200
    assert f'<meta name="file" content="{served.data_path}">'.encode() in page
    assert _get(served, served.data_path) == (200, b"\x08\x07onnx bytes")
    assert _get(served, "/index.js")[0] == 200  # netron's own page files


@pytest.mark.parametrize(
    "path",
    [
        "/data/secret.txt",
        "/data/model.onnx",
        "/data/../exports/secret.txt",
        "/data/%2e%2e/secret.txt",
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/hostname",
        "/server.py",  # inside netron's folder, but not a page file
    ],
)
def test_nothing_else_is_served(served, path):
    status, body = _get(served, path)
    assert status == 404 and b"do not serve" not in body


@pytest.mark.parametrize("host", ["evil.example:80", "attacker.test", "127.0.0.1:1", ""])
def test_another_host_header_is_refused(served, host):
    assert _get(served, served.data_path, host=host)[0] == 403


def test_localhost_under_its_own_port_is_served(served):
    assert _get(served, served.data_path, host=f"localhost:{served.address[1]}")[0] == 200


def test_the_file_name_reaches_the_page_escaped(tmp_path):
    model = tmp_path / 'x"><img src=x onerror=alert(1)>.onnx'
    model.write_bytes(b"onnx")
    server = NetronServer(model)
    try:
        page = _get(server, "/")[1].decode()
        assert "<img src=x" not in page
        assert "x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.onnx" in page
    finally:
        server.stop()


def test_stop_ends_the_server_and_removes_the_private_copy(tmp_path):
    model = tmp_path / "m.onnx"
    model.write_bytes(b"onnx")
    server = NetronServer(model)
    copy = server.model_file
    assert copy.is_file() and copy.parent != tmp_path
    server.stop()
    assert not server.alive and not copy.exists() and model.is_file()
    with pytest.raises(OSError):
        _get(server, "/")


def test_tensor_shapes_are_wrapped_in_brackets_the_installed_fonts_can_draw(served, qapp):
    """Issue 14.18: netron wraps shapes in U+3008/U+3009 (asking for "PingFang SC", a macOS
    font); no installed font has them, so the page drew boxes: "W□16×1×5×5□"."""
    from PySide6.QtGui import QFont, QRawFont

    original = (served.static_dir / "view.js").read_bytes()
    assert original.count(b"\\u3008") > 0  # what netron asks for (if this fails, recheck netron)
    status, script = _get(served, "/view.js")
    assert status == 200
    assert b"\\u3008" not in script and b"\\u3009" not in script
    assert "\u3008".encode() not in script and "\u3009".encode() not in script
    assert script.count(b"\\u27E8") == original.count(b"\\u3008") + original.count(b"\\u27E8")
    assert len(script) == len(original)  # nothing else changed
    # The page's fallback, sans-serif, has the replacement glyphs.
    font = QRawFont.fromFont(QFont("sans-serif"))
    assert font.supportsCharacter(0x27E8) and font.supportsCharacter(0x27E9)
