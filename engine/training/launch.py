"""Starting a run in several processes: `neurocanvas train PROJECT --nproc-per-node N` (or the
project's `processes` setting) runs torchrun (`python -m torch.distributed.run`) as a child
process with the same command line, and torchrun starts `neurocanvas train` once per rank.

A rank knows it is one from torchrun's environment (`inside_torchrun`), so it trains instead of
launching again (also when a user runs torchrun on `-m neurocanvas.engine.cli train` directly).
One machine: `--standalone` (torchrun picks a free port). Several: `--nnodes`, `--node-rank` and
`--rdzv-endpoint HOST:PORT` (node 0's address) go through to torchrun's static rendezvous, and
the same command runs on every machine with its own `--node-rank`.

No torch here: this only builds the command line and waits for it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence


def inside_torchrun(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process is one of torchrun's workers (it set RANK and WORLD_SIZE)."""
    return "RANK" in environ and "WORLD_SIZE" in environ


def torchrun_command(
    argv: Sequence[str],
    nproc: int,
    nnodes: int = 1,
    node_rank: int = 0,
    endpoint: str | None = None,
    python: str = sys.executable,
) -> list[str]:
    """torchrun's command line that runs `neurocanvas ARGV` in `nproc` processes per node.
    Raises ValueError for options that cannot work together."""
    if nproc < 1 or nnodes < 1:
        raise ValueError("--nproc-per-node and --nnodes must be at least 1")
    if not 0 <= node_rank < nnodes:
        raise ValueError(f"--node-rank must be from 0 to {nnodes - 1} (--nnodes {nnodes})")
    options = [f"--nproc-per-node={nproc}"]
    if nnodes > 1 or endpoint:
        if not endpoint or ":" not in endpoint:
            raise ValueError(
                "training on several machines needs --rdzv-endpoint HOST:PORT, the address of "
                "the machine with --node-rank 0 and a free port on it"
            )
        options += [f"--nnodes={nnodes}", f"--node-rank={node_rank}", f"--rdzv-endpoint={endpoint}"]
    else:
        options.append("--standalone")
    return [python, "-m", "torch.distributed.run", *options, "-m", "neurocanvas.engine.cli", *argv]


def worker_environment(nproc: int, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The workers' environment: the cores shared out between the ranks of this machine
    (OMP_NUM_THREADS, unless set; torchrun would set 1 and say so), and warnings kept quiet
    as in one process."""
    env = dict(environ)
    if "OMP_NUM_THREADS" not in env:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        env["OMP_NUM_THREADS"] = str(max(1, cores // nproc))
    return env


def launch(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run torchrun and wait for it; its exit status. Ctrl+C reaches the workers directly (they
    share the terminal's process group), so this process ignores it and waits while they stop
    at their next batch and rank 0 writes last.pt; SIGTERM is passed on to torchrun."""
    process = subprocess.Popen(list(command), env=dict(env))  # noqa: S603 - our own command line
    if threading.current_thread() is not threading.main_thread():  # signals: main thread only
        return process.wait()

    def forward(signum, _frame):
        process.send_signal(signum)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
    }
    try:
        return process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
