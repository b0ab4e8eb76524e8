"""The samples a classifier gets wrong, with their raw text (text data): what a learner reads to
see where a sentiment model fails. Most confident mistakes first."""

from __future__ import annotations

import torch

from .forecast_metrics import predict_outputs

MAX_SHOWN = 50


def misclassified_texts(
    view, objective, data, splits: dict, name: str, class_names: list[str], batch_size: int = 1024
) -> list[dict]:
    """Up to MAX_SHOWN {"text", "true", "predicted", "confidence"} of split ``name``, the most
    confident first; [] for data without texts or a model that is not a classifier."""
    texts = (getattr(data, "texts", None) or {}).get(name)
    placed = splits.get(name)
    if not texts or placed is None or not objective.classification:
        return []
    out = predict_outputs(view, placed[0], batch_size)
    probabilities = objective.probabilities(out).float().cpu()
    if probabilities.shape[1] == 1:
        probabilities = torch.cat([1 - probabilities, probabilities], dim=1)
    predicted = probabilities.argmax(1)
    true = getattr(data, name).y.reshape(-1).long()
    wrong = torch.nonzero(predicted != true).reshape(-1)
    confidence = probabilities.max(1).values
    order = wrong[confidence[wrong].argsort(descending=True, stable=True)][:MAX_SHOWN]
    names = class_names or [str(i) for i in range(probabilities.shape[1])]
    return [
        {
            "text": texts[i],
            "true": names[int(true[i])],
            "predicted": names[int(predicted[i])],
            "confidence": float(confidence[i]),
        }
        for i in order.tolist()
    ]
