"""The conditional GAN: the ring's 8 modes as classes; samples asked for class j land on mode j
(seed 0), a checkpoint draws a chosen class, and a half-conditional project is refused."""

from __future__ import annotations

import numpy as np
import pytest
from gan_helpers import CENTRES, conditional_ring_project, ring_data, ring_project
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.training import RunFailed, RunFinished, Trainer
from neurocanvas.engine.training.events import EpochEnded
from neurocanvas.engine.training.gan_samples import load_generator


@pytest.mark.slow
def test_samples_of_a_chosen_class_land_on_its_mode(tmp_path):
    epochs = []
    trainer = Trainer(
        conditional_ring_project(epochs=25, checkpoint=True), ring_data(800), device="cpu",
        run_dir=tmp_path,
    )  # fmt: skip
    trainer.subscribe(lambda e: epochs.append(e) if isinstance(e, EpochEnded) else None)
    result = trainer.run()
    assert isinstance(result, RunFinished), result
    generator = load_generator(result.checkpoint)
    assert generator.classes == 8
    hits = []
    for mode in range(8):
        points = generator.draw(200, seed=mode, label=mode)
        nearest = np.linalg.norm(points[:, None] - CENTRES[None], axis=2).argmin(1)
        hits.append(float((nearest == mode).mean()))
    print("share on the asked mode", [round(h, 2) for h in hits])
    assert min(hits) > 0.7
    # The fixed samples cycle through the classes: sample i is of class i % 8
    fixed = epochs[-1].samples.numpy()
    nearest = np.linalg.norm(fixed[:, None] - CENTRES[None], axis=2).argmin(1)
    assert (nearest == np.arange(len(fixed)) % 8).mean() > 0.7
    with pytest.raises(ValueError, match="class 9"):
        generator.draw(4, label=9)


def test_a_class_input_in_one_network_only_is_refused_by_name():
    project = conditional_ring_project(epochs=1)
    project.graphs["discriminator"] = ring_project().graphs["discriminator"]
    result = Trainer(project, ring_data(100), device="cpu").run()
    assert isinstance(result, RunFailed)
    assert "discriminator has no Input with noise set to class" in result.message


def test_class_inputs_must_match_the_datas_classes():
    cfg = DataConfig(
        source="blobs", params={"n": 100, "classes": 3}, split=(1.0, 0.0, 0.0), normalize=False
    )
    result = Trainer(
        conditional_ring_project(epochs=1), prepare(load_dataset(cfg), cfg), device="cpu"
    ).run()
    assert isinstance(result, RunFailed)
    assert "8 classes, but the data has 3" in result.message
