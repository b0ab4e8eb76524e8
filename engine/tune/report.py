"""What the Tune views show of a study, as plain values: the trial table, the optimisation history
with its best-so-far line, parallel coordinates (each parameter scaled to 0..1 over its range),
parameter importances (Optuna's fANOVA-based `optuna.importance`) and each trial's intermediate
values, pruned ones marked. Read from the storage, so a study another process runs can be watched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

_STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed"}


@dataclass
class TrialRow:
    number: int
    state: str  # complete, pruned, failed, running, waiting
    value: float | None
    params: dict[str, Any]
    seconds: float | None
    run_dir: str | None
    intermediate: dict[int, float] = field(default_factory=dict)


@dataclass
class StudyReport:
    name: str
    direction: str
    rows: list[TrialRow]
    param_names: list[str]

    @property
    def finished(self) -> list[TrialRow]:
        return [r for r in self.rows if r.state == "complete" and r.value is not None]

    def best(self) -> TrialRow | None:
        done = self.finished
        if not done:
            return None
        pick = max if self.direction == "maximize" else min
        return pick(done, key=lambda r: r.value)

    def history(self) -> tuple[list[int], list[float], list[float]]:
        """(trial numbers, values, best so far) of the complete trials, in trial order."""
        numbers, values, best = [], [], []
        better = max if self.direction == "maximize" else min
        for row in sorted(self.finished, key=lambda r: r.number):
            numbers.append(row.number)
            values.append(row.value)
            best.append(row.value if not best else better(best[-1], row.value))
        return numbers, values, best

    def parallel(self) -> tuple[list[str], list[list[float]], list[float]]:
        """(axes, one line per complete trial with each parameter scaled to 0..1, values).
        Choices sit evenly on their axis in the order first seen."""
        axes = list(self.param_names)
        done = [r for r in self.finished if all(a in r.params for a in axes)]
        scaled_columns = [_scaled([r.params[a] for r in done]) for a in axes]
        lines = [[column[i] for column in scaled_columns] for i in range(len(done))]
        return axes, lines, [r.value for r in done]


def study_report(study) -> StudyReport:
    rows = []
    names: list[str] = []
    for trial in study.get_trials(deepcopy=False):
        state = _STATES.get(trial.state.name, trial.state.name.lower())
        seconds = None
        if trial.datetime_start and trial.datetime_complete:
            seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
        for name in trial.params:
            if name not in names:
                names.append(name)
        rows.append(
            TrialRow(
                trial.number,
                state,
                trial.value if state == "complete" else None,
                dict(trial.params),
                seconds,
                trial.user_attrs.get("run_dir"),
                dict(trial.intermediate_values),
            )
        )
    return StudyReport(study.study_name, study.direction.name.lower(), rows, names)


def importances(study) -> dict[str, float]:
    """Each parameter's share of the objective's variance (optuna.importance); {} until at
    least two complete trials vary the parameters."""
    import optuna
    from optuna.trial import TrialState

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < 2 or not any(t.params for t in complete):
        return {}
    try:
        found = optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError):  # every trial alike, or a parameter seen only once
        return {}
    return {name: float(value) for name, value in found.items() if math.isfinite(value)}


def _scaled(values: list[Any]) -> list[float]:
    if not values:
        return []
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        low, high = min(values), max(values)
        if high == low:
            return [0.5 for _ in values]
        if low > 0 and high / low > 20:  # a log-scale range: spread it as it was searched
            low, high = math.log(low), math.log(high)
            return [(math.log(v) - low) / (high - low) for v in values]
        return [(v - low) / (high - low) for v in values]
    order = list(dict.fromkeys(str(v) for v in values))
    if len(order) == 1:
        return [0.5 for _ in values]
    return [order.index(str(v)) / (len(order) - 1) for v in values]
