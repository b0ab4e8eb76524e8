"""The end of a run: the trainer's splits scored with the restored weights. The first of test /
val / train there is becomes the run's result (with a forecast's windows and baselines, or a text
model's mistakes); every split's metrics go to ``trainer.split_metrics`` (`train --json`'s
"splits")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .forecast_metrics import score_forecast
from .metrics import EvalResult
from .misclassified import misclassified_texts

if TYPE_CHECKING:
    from .trainer import Trainer


def final_evaluation(trainer: Trainer) -> EvalResult | None:
    first, trainer.split_metrics = None, {}
    batch = trainer.config.eval_batch_size
    for name in ("test", "val", "train"):
        if trainer.splits.get(name) is None:
            continue
        result = trainer._evaluate_split(name)
        scores, series = score_forecast(trainer.view, trainer.data, trainer.splits, name, batch)
        result.metrics.update(scores)
        trainer.split_metrics[name] = dict(result.metrics)
        if first is None:
            trainer.evaluated_on, first = name, result
            first.forecast = series
            first.misclassified = misclassified_texts(
                trainer.view,
                trainer.objective,
                trainer.data,
                trainer.splits,
                name,
                trainer.class_names,
                batch,
            )
    return first
