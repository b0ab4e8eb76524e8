"""Run generated hostile inputs through the command line and count what went wrong.

    python tools/fuzz_cli.py --count 300 [--seed 0] [--json]

Families: mutated project files (values replaced by huge, negative, NaN-like, wrong-typed or
code-like ones), raw project texts (deep nesting, BOM, UTF-16, bad bytes, truncation), data files
(CSV/TSV/npz/IDX oddities), mutated checkpoints, and paths that are not regular files (FIFO,
folder, /dev/zero). Each input runs `neurocanvas summary|train|evaluate|export` in this process.

A failure is an exception escaping `main`, a message calling itself a bug ("unexpected error",
which also writes a crash log), a Python traceback on stderr, or a command still running after
the time limit (a hang). Bad input must end with status 2 and one paragraph. Deterministic for a
seed; prints one line per failure and a summary (or one JSON object with --json).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HOSTILE_VALUES = [
    None, True, False, -1, 0, 1, 10**11, -(10**30), 2**63, 1e308, -1e-9, 0.5, "", "x" * 5000,
    "NaN", "inf", [], {}, [1] * 5, [0, "a"], {"type": "Adam"}, 'X"""; import os; os.system("touch pwned"); """',
    "../../../../etc/passwd", "\x00", "ü" * 3, [[[[[]]]]], {"a": {"b": {"c": None}}}, [-1, -1], [1e30, 0],
]  # fmt: skip
TEMPLATES = ("xor", "seed-mlp", "tabular-mlp", "seed-cnn")


@dataclass
class Case:
    family: str
    argv: list[str]


@dataclass
class Outcome:
    case: Case
    status: int | None
    stderr: str
    problem: str | None = None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problem]

    def summary(self) -> dict:
        problems = Counter(o.problem for o in self.failures)
        return {
            "inputs": len(self.outcomes),
            "by_family": dict(Counter(o.case.family for o in self.outcomes)),
            "exit_statuses": dict(Counter(str(o.status) for o in self.outcomes)),
            "tracebacks": problems.get("traceback", 0) + problems.get("escaped", 0),
            "hangs": problems.get("hang", 0),
            "unexpected": problems.get("unexpected error", 0),
            "failures": len(self.failures),
        }


# ---- generating inputs ---------------------------------------------------------------------------
def _paths_in(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths_in(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:6]):
            yield from _paths_in(child, (*prefix, index))


def _mutated(data: dict, rng: random.Random) -> dict:
    data = json.loads(json.dumps(data))
    for _ in range(rng.choice((1, 1, 2, 3))):
        paths = [p for p in _paths_in(data) if p]
        path = rng.choice(paths)
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if rng.random() < 0.15 and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
    return data


def _project_cases(rng: random.Random, folder: Path, count: int) -> list[Case]:
    from neurocanvas.engine.templates import load_project_or_template

    bases = {name: load_project_or_template(name).to_dict() for name in TEMPLATES}
    cases = []
    for index in range(count):
        name = rng.choice(TEMPLATES)
        path = folder / f"project-{index}.json"
        path.write_text(json.dumps(_mutated(bases[name], rng)))
        cases.append(Case("project", _command(rng, str(path), folder, index)))
    return cases


def _command(rng: random.Random, project: str, folder: Path, index: int) -> list[str]:
    kind = rng.choice(("summary", "train", "train", "export"))
    if kind == "summary":
        return ["summary", project]
    if kind == "train":
        return ["train", project, "--epochs", "1", "--out", str(folder / f"run-{index}"), "--json"]
    return ["export", project, "--out", str(folder / f"export-{index}.onnx")]


def _raw_texts() -> list[bytes]:
    good = (
        b'{"format": "neurocanvas", "version": 1, "name": "t", "graph": {"nodes": [], "edges": []}}'
    )
    return [
        b'{"a": ' + b"[" * 50000 + b"]" * 50000 + b"}",
        b'{"format": "neurocanvas", "version": ' + b"9" * 5000 + b"}",
        b"\xef\xbb\xbf" + good,
        good.decode().encode("utf-16"),
        good[:40] + b"\xff\xfe" + good[40:],
        good[: len(good) // 2],
        b"",
        b"\x00" * 100,
        good.replace(b'"version": 1', b'"version": NaN'),
        good.replace(b'"version": 1', b'"version": "1"'),
        b"x,y\n1,2\n",
    ]


def _raw_cases(folder: Path) -> list[Case]:
    cases = []
    for index, text in enumerate(_raw_texts()):
        path = folder / f"raw-{index}.json"
        path.write_bytes(text)
        cases += [Case("raw project", ["summary", str(path)])]
        cases += [
            Case(
                "raw project",
                ["train", str(path), "--epochs", "1", "--out", str(folder / f"rr-{index}")],
            )
        ]
    return cases


def _csv_texts(rng: random.Random) -> list[bytes]:
    rows = "".join(f"{rng.random():.3f},{rng.random():.3f},{i % 2}\n" for i in range(40))
    header = "a,b,label\n"
    return [
        (header + rows).encode(),
        (header + "".join(f"{i},{i},\n" for i in range(30))).encode(),
        (header + rows).encode("utf-16"),
        (header + rows.replace("0.", "inf", 3)).encode(),
        (header + rows + "1,2\n").encode(),
        (header + rows.replace(",", ";")).encode(),
        b"1," * (3 << 20),
        b"\x00\x01\x02" * 1000,
        (header + "").encode(),
        ("a\tb\tlabel\n" + rows.replace(",", "\t")).encode(),
        (header + rows.replace("1\n", "nan\n")).encode(),
        (header + "".join(f"{i},{i},{'x' * 200}\n" for i in range(30))).encode(),
    ]


def _data_cases(rng: random.Random, folder: Path, count: int) -> list[Case]:
    cases = []
    texts = _csv_texts(rng)
    for index in range(count):
        path = folder / f"data-{index}.csv"
        text = texts[index % len(texts)]
        if index >= len(texts):
            cut = rng.randrange(len(text) + 1)
            text = text[:cut] + bytes([rng.randrange(256)]) + text[cut:]
        path.write_bytes(text)
        out = str(folder / f"drun-{index}")
        argv = ["train", "tabular-mlp", "--data", str(path), "--epochs", "1", "--out", out]
        cases.append(Case("data file", argv))
    cases += _array_cases(folder)
    return cases


def _array_cases(folder: Path) -> list[Case]:
    import numpy as np

    cases = []
    bad_sets = {
        "neg-labels.npz": dict(x=np.zeros((20, 3), np.float32), y=-np.ones(20, np.int64)),
        "nan-x.npz": dict(x=np.full((20, 3), np.nan, np.float32), y=np.zeros(20, np.int64)),
        "one-array.npz": dict(x=np.zeros((20, 3), np.float32)),
        "empty.npz": dict(x=np.zeros((0, 3), np.float32), y=np.zeros(0, np.int64)),
        "img-255.npz": dict(x=np.zeros((20, 8, 8), np.uint8), y=np.full(20, 255, np.uint8)),
    }
    for name, arrays in bad_sets.items():
        np.savez(folder / name, **arrays)
        argv = [
            "train",
            "xor",
            "--data",
            str(folder / name),
            "--epochs",
            "1",
            "--out",
            str(folder / f"a-{name}"),
        ]
        cases.append(Case("data file", argv))
    return cases


def _checkpoint_cases(rng: random.Random, folder: Path, count: int) -> list[Case]:
    import torch
    from neurocanvas.engine.cli import main

    good_dir = folder / "good-run"
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        main(["train", "xor", "--epochs", "1", "--out", str(good_dir), "--json"])
    bundle = torch.load(good_dir / "last.pt", weights_only=True)
    fields = [k for k in bundle if k not in ("format",)]
    cases = []
    for index in range(count):
        mutated = dict(bundle)
        key = rng.choice(fields)
        mutated[key] = rng.choice(HOSTILE_VALUES)
        path = folder / f"ckpt-{index}.pt"
        torch.save(mutated, path)
        if rng.random() < 0.5:
            argv = ["evaluate", "xor", "--weights", str(path)]
        else:
            argv = [
                "export",
                "xor",
                "--weights",
                str(path),
                "--out",
                str(folder / f"ce-{index}.onnx"),
            ]
        cases.append(Case("checkpoint", argv))
    return cases


def _path_cases(folder: Path) -> list[Case]:
    fifo = folder / "pipe.json"
    os.mkfifo(fifo)
    odd = [str(fifo), str(folder), "/dev/zero", str(folder / "missing.json")]
    cases = []
    for path in odd:
        cases.append(Case("odd path", ["summary", path]))
        cases.append(
            Case(
                "odd path",
                ["train", "xor", "--data", path, "--epochs", "1", "--out", str(folder / "p-run")],
            )
        )
        cases.append(Case("odd path", ["evaluate", "xor", "--weights", path]))
    return cases


def generate(count: int, seed: int, folder: Path) -> list[Case]:
    rng = random.Random(seed)
    fixed = _raw_cases(folder) + _path_cases(folder)
    rest = max(0, count - len(fixed) - 5)
    cases = fixed
    cases += _project_cases(rng, folder, rest * 5 // 10)
    cases += _data_cases(rng, folder, rest * 2 // 10)
    cases += _checkpoint_cases(rng, folder, rest - rest * 5 // 10 - rest * 2 // 10)
    return cases


# ---- running them --------------------------------------------------------------------------------
class _Hang(BaseException):  # not an Exception: the CLI's last resort must not catch it
    pass


def _alarm(_signum, _frame):
    raise _Hang()


def run_case(case: Case, limit_s: int) -> Outcome:
    from neurocanvas.engine.cli import main

    err, out = io.StringIO(), io.StringIO()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit_s)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = main(list(case.argv))
    except _Hang:
        return Outcome(case, None, err.getvalue(), "hang")
    except BaseException as error:  # noqa: BLE001 - anything escaping main is the finding
        return Outcome(case, None, f"{type(error).__name__}: {error}", "escaped")
    finally:
        signal.alarm(0)
    text = err.getvalue()
    problem = None
    if "Traceback (most recent call last)" in text:
        problem = "traceback"
    elif "unexpected error" in text:
        problem = "unexpected error"
    return Outcome(case, status, text, problem)


def fuzz(count: int = 300, seed: int = 0, limit_s: int = 60, logs: str | None = None) -> Report:
    import warnings

    report = Report()
    with (
        tempfile.TemporaryDirectory(prefix="neurocanvas-fuzz-") as scratch,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # third-party warnings are not what is counted here
        folder = Path(scratch)
        previous = os.getcwd()
        os.chdir(folder)  # an injected `touch pwned` would land here
        os.environ["NEUROCANVAS_LOG_DIR"] = logs or str(folder / "logs")
        try:
            for case in generate(count, seed, folder):
                report.outcomes.append(run_case(case, limit_s))
            if (folder / "pwned").exists():
                report.outcomes.append(Outcome(Case("injection", []), None, "", "code ran"))
        finally:
            os.chdir(previous)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=60, help="seconds before a command is a hang")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--logs", help="keep crash logs in this folder (default: discarded)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = fuzz(args.count, args.seed, args.limit, args.logs)
    summary = {**report.summary(), "seconds": round(time.perf_counter() - started, 1)}
    for outcome in report.failures:
        first = outcome.stderr.strip().splitlines()[-1:] or [""]
        print(
            f"{outcome.problem}: {' '.join(outcome.case.argv)[:160]} -> {first[0][:200]}",
            file=sys.stderr,
        )
    print(json.dumps(summary) if args.json else "\n".join(f"{k}: {v}" for k, v in summary.items()))
    return 0 if not report.failures else 1


if __name__ == "__main__":
    sys.exit(main())
