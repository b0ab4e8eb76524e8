"""Repeat with N seeds: the same settings trained with N training seeds (weights, shuffling,
dropout; the data split stays), each an ordinary run folder, and what the spread says.

    runs = repeat_seeds(project, 5, run_root="runs/mlp-seeds")
    runs.summary()                    # {"accuracy": (mean, std), ...} of the test metrics
    epochs, mean, std = seed_curves(runs.histories, "val_loss")   # the Runs view's band
    compare(a_accuracies, b_accuracies).text   # is the difference larger than the seed noise?

`compare` is Welch's t-test (scipy), which does not assume the two configurations are equally
noisy: a difference is "beyond the seed noise" when p < alpha (0.05).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import project as project_io
from .config import TrainConfig
from .cross_validation import summarize
from .events import RunFailed


class SeedRunError(RuntimeError):
    """A seed's run failed; the message names the seed."""


@dataclass
class SeedRuns:
    seeds: list[int] = field(default_factory=list)
    finals: list[dict[str, float]] = field(default_factory=list)  # test metrics per seed
    histories: list[list[dict[str, float]]] = field(default_factory=list)  # per epoch
    run_dirs: list[str | None] = field(default_factory=list)

    def summary(self) -> dict[str, tuple[float, float]]:
        return summarize(self.finals)

    def values(self, metric: str) -> list[float]:
        return [float(final[metric]) for final in self.finals if metric in final]

    def to_dict(self) -> dict[str, Any]:
        summary = self.summary()
        return {
            "seeds": [
                {"seed": s, "run_dir": r, "test": f}
                for s, r, f in zip(self.seeds, self.run_dirs, self.finals)
            ],
            "mean": {k: m for k, (m, _) in summary.items()},
            "std": {k: s for k, (_, s) in summary.items()},
        }


def repeat_seeds(
    project: project_io.Project,
    count: int,
    data: Any,
    *,
    config: TrainConfig | None = None,
    run_root: str | Path | None = None,
    device: str = "auto",
    on_run: Callable[[int, Any], None] | None = None,
) -> SeedRuns:
    """Train `project` on the prepared `data` with seeds seed, seed+1, ... (`count` runs)."""
    from .trainer import Trainer

    config = config or TrainConfig.from_dict(project.training)
    runs = SeedRuns()
    for offset in range(count):
        seeded = config.replace(seed=config.seed + offset)
        folder = Path(run_root) / f"seed-{seeded.seed}" if run_root is not None else None
        trainer = Trainer(project, data, seeded, device=device, run_dir=folder)
        outcome = trainer.run()
        if isinstance(outcome, RunFailed):
            raise SeedRunError(f"seed {seeded.seed}: {outcome.message}")
        runs.seeds.append(seeded.seed)
        runs.finals.append({k: v for k, v in outcome.test.items() if _finite(v)})
        runs.histories.append(list(trainer.history))
        runs.run_dirs.append(outcome.run_dir)
        if on_run is not None:
            on_run(seeded.seed, outcome)
    return runs


def seed_curves(
    histories: Sequence[Sequence[dict[str, float]]], metric: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(epochs, mean, std) of `metric` over the runs, epoch by epoch; an epoch some runs did not
    reach (early stopping) averages the runs that did; std is 0 where only one run is left."""
    length = max((len(h) for h in histories), default=0)
    table = np.full((len(histories), length), np.nan)
    for row, history in enumerate(histories):
        for column, logs in enumerate(history):
            value = logs.get(metric)
            if value is not None and _finite(value):
                table[row, column] = value
    epochs, means, stds = [], [], []
    for column in range(length):
        values = table[:, column][~np.isnan(table[:, column])]
        if len(values):
            epochs.append(column + 1)
            means.append(values.mean())
            stds.append(values.std(ddof=1) if len(values) > 1 else 0.0)
    return np.array(epochs, dtype=int), np.array(means), np.array(stds)


@dataclass(frozen=True)
class Comparison:
    difference: float  # mean of b minus mean of a
    p_value: float | None  # None: too few runs to tell
    beyond_noise: bool
    text: str


def compare(
    a: Sequence[float], b: Sequence[float], alpha: float = 0.05, metric: str = "the metric"
) -> Comparison:
    """Whether configuration b's runs differ from a's by more than the seed noise (Welch)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) == 0 or len(b) == 0:
        raise ValueError("compare needs at least one run of each configuration")
    difference = float(b.mean() - a.mean())
    spread = f"{a.mean():.4g} +- {_std(a):.2g} vs {b.mean():.4g} +- {_std(b):.2g}"
    if len(a) < 2 or len(b) < 2:
        return Comparison(
            difference, None, False, f"{metric}: {spread}; repeat each with 2 or more seeds to tell"
        )
    if _std(a) == 0 and _std(b) == 0:
        beyond = difference != 0
        word = "differ" if beyond else "are equal"
        return Comparison(difference, 0.0 if beyond else 1.0, beyond, f"{metric}: {spread}; {word}")
    from scipy.stats import ttest_ind

    p_value = float(ttest_ind(a, b, equal_var=False).pvalue)
    beyond = p_value < alpha
    verdict = "larger than the seed noise" if beyond else "within the seed noise (could be chance)"
    return Comparison(
        difference,
        p_value,
        beyond,
        f"{metric}: {spread}; the difference {difference:+.4g} is {verdict}, p = {p_value:.3g}",
    )


def _std(values: np.ndarray) -> float:
    return float(values.std(ddof=1)) if len(values) > 1 else 0.0


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
