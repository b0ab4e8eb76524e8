"""The export dialog's "Serve locally": it starts the real service on loopback, shows its URL and a
curl line that works (sent as written: with curl when the machine has it, else the same request
with httpx), and Stop or closing the dialog ends it."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import httpx
import pytest
from window_fixtures import *  # noqa: F403 - the shared window fixtures


@pytest.fixture(scope="module")
def xor_checkpoint(tmp_path_factory):
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.export import load_source, save_checkpoint_bundle

    path = tmp_path_factory.mktemp("xor") / "best.pt"
    source = load_source("xor", seed=0)
    cfg = DataConfig(source="xor")
    data = prepare(load_dataset(cfg), cfg)
    source.preprocessing, source.class_names = data.preprocessing.to_dict(), data.class_names
    save_checkpoint_bundle(source, path)
    return path


def _send(curl: str) -> dict:
    words = shlex.split(curl)
    if shutil.which("curl"):
        done = subprocess.run(words, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    url = next(w for w in words if w.startswith("http://"))
    body = words[words.index("-d") + 1]
    response = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.slow
def test_serve_locally_starts_shows_a_working_curl_line_and_stops(qtbot, xor_checkpoint):
    from neurocanvas.gui.serve_panel import ServePanel

    panel = ServePanel()
    qtbot.addWidget(panel)
    panel.set_model(str(xor_checkpoint))
    assert panel.serve_button.isEnabled() and not panel.url_label.isVisibleTo(panel)
    with qtbot.waitSignal(panel.started, timeout=150_000) as blocker:
        panel.serve_button.click()
    url = blocker.args[0]
    assert url.startswith("http://127.0.0.1:") and url in panel.url_label.text()
    assert panel.curl_label.text().startswith(panel.curl) and f"{url}/predict" in panel.curl
    answer = _send(panel.curl)
    assert answer["predictions"][0]["label"] in ("0", "1")
    assert httpx.get(url + "/health").json()["status"] == "ok"
    with qtbot.waitSignal(panel.stopped, timeout=10_000):
        panel.stop_button.click()
    assert not panel.running and not panel.url_label.isVisibleTo(panel)
    with pytest.raises(httpx.HTTPError):
        httpx.get(url + "/health", timeout=2)


@pytest.mark.slow
def test_a_model_the_server_refuses_is_reported(qtbot, tmp_path):
    from neurocanvas.gui.serve_panel import ServePanel

    bad = tmp_path / "best.pt"
    bad.write_text("not a checkpoint")
    panel = ServePanel()
    qtbot.addWidget(panel)
    panel.set_model(str(bad))
    with qtbot.waitSignal(panel.stopped, timeout=150_000):
        panel.serve_button.click()
    assert "not a NeuroCanvas checkpoint" in panel.status_label.text()
    assert not panel.running and panel.serve_button.isEnabled()


def test_the_export_dialog_offers_the_export_it_wrote(qtbot, window, tmp_path):
    dialog = window.exports.open_dialog()
    assert dialog.serve_panel.model is None and not dialog.serve_panel.serve_button.isEnabled()
    dialog.set_format("service")
    out = tmp_path / "seed-cnn-service"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.finished_export, timeout=60_000) as blocker:
        dialog.export_button.click()
    assert blocker.args[0]["ok"], blocker.args[0]
    assert (out / "serve.py").is_file() and (out / "model.onnx").is_file()
    assert dialog.serve_panel.model == str(out) and dialog.serve_panel.serve_button.isEnabled()
