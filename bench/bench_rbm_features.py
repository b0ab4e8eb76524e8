"""RBM features vs raw pixels for a logistic regression on MNIST t10k (issue 19's RBM figure).

An RBM (784 -> 256 hidden, CD-1, 10 epochs, seed 0) is trained by the rbm step on the first
8,000 images (pixels in [0, 1]); scikit-learn's LogisticRegression is then fitted on its hidden
probabilities and, separately, on the raw pixels, and both are scored on the last 2,000 images.
Prints both accuracies and their ratio (> 1: the RBM's features help). `python -m bench rbm_features`
"""

from __future__ import annotations

import time

import torch
from neurocanvas.engine import project as project_io
from neurocanvas.engine.data import DataConfig, Dataset, load_dataset, prepare


def _rbm_project(hidden: int, epochs: int) -> project_io.Project:
    nodes = [
        {"id": "pixels", "type": "Input", "params": {"shape": [1, 28, 28]}},
        {"id": "flatten", "type": "Flatten", "params": {}},
        {"id": "rbm", "type": "RBM", "params": {"hidden": hidden}},
    ]
    edges = [
        {"from": ["pixels", 0], "to": ["flatten", 0]},
        {"from": ["flatten", 0], "to": ["rbm", 0]},
    ]
    return project_io.from_dict(
        {
            "format": "neurocanvas",
            "version": 3,
            "name": "rbm",
            "graphs": {"main": {"nodes": nodes, "edges": edges}},
            "training": {
                "step": "rbm",
                "epochs": epochs,
                "batch_size": 50,
                "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.5},
                "checkpoint": False,
            },
        }
    )


def main(hidden: int = 256, epochs: int = 10) -> dict[str, float]:
    from neurocanvas.engine.training import Trainer
    from sklearn.linear_model import LogisticRegression

    cfg = DataConfig(source="mnist", split=(0.875, 0.125, 0.0), seed=0, normalize=False)
    ds = load_dataset(cfg)
    head, tail = slice(0, 8000), slice(8000, 10000)
    first = Dataset(ds.x[head], ds.y[head], ds.info, test=Dataset(ds.x[tail], ds.y[tail], ds.info))
    data = prepare(first, cfg)
    started = time.perf_counter()
    trainer = Trainer(_rbm_project(hidden, epochs), data, device="cpu")
    result = trainer.run()
    seconds = time.perf_counter() - started
    rbm = trainer.model.eval()
    train_x = torch.cat([data.train.x, data.val.x])
    train_y = torch.cat([data.train.y, data.val.y]).numpy()
    with torch.no_grad():
        features = rbm(train_x).numpy(), rbm(data.test.x).numpy()
    raw = train_x.flatten(1).numpy(), data.test.x.flatten(1).numpy()
    scores = {}
    for name, (fit_x, test_x) in (("rbm", features), ("raw", raw)):
        model = LogisticRegression(max_iter=300).fit(fit_x, train_y)
        scores[name] = float(model.score(test_x, data.test.y.numpy()))
    print(
        f"RBM {hidden} hidden, {epochs} epochs CD-1 ({seconds:.0f} s, reconstruction error "
        f"{result.test.get('loss', float('nan')):.4f}): logistic regression on RBM features "
        f"{scores['rbm']:.4f}, on raw pixels {scores['raw']:.4f}, ratio "
        f"{scores['rbm'] / scores['raw']:.3f}"
    )
    return scores


if __name__ == "__main__":
    main()
