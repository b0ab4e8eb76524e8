"""The rbm-features-mnist template's route, as a user takes it in the window, against the same
classifier on raw pixels (issue 19's RBM figure, the template's version).

1. the template as shipped: the rbm step trains the RBM (256 hidden, CD-1) on its data;
2. the step set to supervised, starting from run 1's best.pt (`init_from`, as the window's
   "Start from the latest run's weights" and `train --init-from` do): the classifier learns on
   the frozen RBM's features;
3. the same template without the RBM (Flatten wired to the classifier), supervised, from fresh
   weights: logistic regression on raw pixels, same optimizer, epochs and batches.

Test accuracy of 2 and 3 on the template's test split (MNIST t10k, 15%, seed 0) and their ratio.
`python -m bench rbm_template` (about a minute on the 2-core machine).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.templates import load_template

MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"


def _data(project):
    source = str(MNIST) if MNIST.is_dir() else "mnist"
    cfg = DataConfig.from_dict({**project.data, "source": source})
    return prepare(load_dataset(cfg), cfg)


def _without_rbm(project):
    graph = project.graph
    graph.remove_node("rbm")
    graph.connect(("flatten", 0), ("classifier", 0))
    return project


def main(epochs: int | None = None) -> dict[str, float]:
    from neurocanvas.engine.compiler import compile_graph
    from neurocanvas.engine.training import Trainer
    from neurocanvas.engine.training.init_from import init_from, read_state
    from neurocanvas.engine.training.run_state import auto_sizes_for

    template = load_template("rbm-features-mnist")
    data = _data(template)
    epochs = epochs or template.training["epochs"]
    scores: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        rbm_run = load_template("rbm-features-mnist")
        rbm_run.training = {**rbm_run.training, "epochs": epochs}
        first = Trainer(rbm_run, data, device="cpu", run_dir=Path(work) / "rbm").run()
        scores["rbm_seconds"] = time.perf_counter() - started
        for name, project in (
            ("rbm_features", load_template("rbm-features-mnist")),
            ("raw_pixels", _without_rbm(load_template("rbm-features-mnist"))),
        ):
            project.training = {**project.training, "step": "supervised", "epochs": epochs}
            model = compile_graph(project.graph, auto=auto_sizes_for(data), seed=0)
            if name == "rbm_features":
                init_from(model, read_state(first.checkpoint), first.checkpoint)
            result = Trainer(
                project, data, device="cpu", model=model, run_dir=Path(work) / name
            ).run()
            scores[name] = float(result.test["accuracy"])
    print(
        f"rbm-features-mnist ({epochs} epochs each, RBM trained in {scores['rbm_seconds']:.0f} s): "
        f"test accuracy on RBM features {scores['rbm_features']:.4f}, on raw pixels "
        f"{scores['raw_pixels']:.4f}, ratio {scores['rbm_features'] / scores['raw_pixels']:.3f}"
    )
    return scores


if __name__ == "__main__":
    main()
