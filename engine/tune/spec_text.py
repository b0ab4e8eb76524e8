"""A search dimension written on the command line (`--dim`):

    dense1.units=8..128:log        a layer parameter's range, on a log scale
    dropout1.rate=0..0.5:step=0.1  a range with a step (what a grid search walks)
    optimizer.lr=1e-4..1e-1:log    a training setting
    batch_size=16,32,64            choices (numbers stay numbers, true/false booleans)
    dense1.activation=relu,tanh

A key whose first part is a node of the graph is that node's parameter; any other key is a
training setting. `check_tuning` then checks it against the specs like a file's dimension.
"""

from __future__ import annotations

from typing import Any

from .space import Dimension, TuningError


def parse_dimension(text: str, graph) -> Dimension:
    key, sep, rest = text.partition("=")
    key, rest = key.strip(), rest.strip()
    if not sep or not key or not rest:
        raise TuningError(f"--dim {text!r}: write KEY=LOW..HIGH or KEY=A,B,C")
    node, dot, param = key.partition(".")
    where: dict[str, Any] = (
        {"node": node, "param": param} if dot and node in graph.nodes else {"setting": key}
    )
    if ".." not in rest.split(":", 1)[0]:
        return Dimension(**where, choices=tuple(_value(v) for v in rest.split(",") if v.strip()))
    bounds, *options = rest.split(":")
    low, _, high = bounds.partition("..")
    log, step = False, None
    for option in options:
        option = option.strip()
        if option == "log":
            log = True
        elif option.startswith("step="):
            step = _number(option[5:], text)
        else:
            raise TuningError(f"--dim {text!r}: unknown option {option!r} (log, step=S)")
    return Dimension(**where, low=_number(low, text), high=_number(high, text), log=log, step=step)


def _number(text: str, whole: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise TuningError(f"--dim {whole!r}: {text.strip()!r} is not a number") from None


def _value(text: str) -> Any:
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text
