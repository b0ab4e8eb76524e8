"""A real PostgreSQL server for the shared-study test, started in a temporary folder."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def postgres_url():
    """postgresql://... of a fresh server (trust auth on loopback), stopped and removed after."""
    pytest.importorskip("psycopg2", reason="psycopg2 (the tune extra) is not installed")
    initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip(
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in "
            "/usr/lib/postgresql/*/bin); .ci/run may install Debian's postgresql package"
        )
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as the postgres user
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip(
                "running as root with no 'postgres' user; PostgreSQL refuses to run as root"
            )
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser to start PostgreSQL as another user")
        run_as = [runuser, "-u", "postgres", "--"]
    # Not under pytest's tmp_path: its parents are private to this user, the server's is another.
    folder = tempfile.mkdtemp(prefix="neurocanvas-pg-")
    data = os.path.join(folder, "data")
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    log = os.path.join(folder, "server.log")
    init = subprocess.run(
        [*run_as, initdb, "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL's initdb failed, so no server to test with: {init.stderr[-400:]}")
    options = f"-p {port} -k {folder} -h 127.0.0.1 -F"
    start = subprocess.run(
        [*run_as, pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start"],
        capture_output=True,
        text=True,
        timeout=90,
    )
    if start.returncode != 0:
        with contextlib.suppress(OSError), open(log) as stream:
            tail = stream.read()[-400:]
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"the PostgreSQL server did not start: {start.stderr[-300:]} {tail}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)
