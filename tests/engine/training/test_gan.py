"""The GAN step: on the 2-D ring of 8 Gaussians the generator's samples cover every mode
(seed 0), the epoch figures are reported, and both networks are checkpointed and resumed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gan_helpers import CENTRES, ring_data, ring_project
from neurocanvas.engine.training import (
    RunFailed,
    RunFinished,
    TrainConfig,
    Trainer,
    load_checkpoint,
)
from neurocanvas.engine.training.events import EpochEnded
from neurocanvas.engine.training.gan_step import GanStep, draw_noise


@pytest.mark.slow
def test_the_ring_gan_covers_every_mode(tmp_path):
    project = ring_project(epochs=80, checkpoint=True)
    epochs: list[EpochEnded] = []
    trainer = Trainer(project, ring_data(2000), device="cpu", run_dir=tmp_path)
    trainer.subscribe(lambda e: epochs.append(e) if isinstance(e, EpochEnded) else None)
    result = trainer.run()
    assert isinstance(result, RunFinished), result
    generator, _ = load_checkpoint(result.checkpoint)
    with torch.no_grad():
        points = generator(draw_noise(1000, (2,), "normal", "cpu")).numpy()
    distance = np.linalg.norm(points[:, None, :] - CENTRES[None], axis=2)  # (1000, 8)
    nearest, mode = distance.min(1), distance.argmin(1)
    close = nearest < 0.25  # five standard deviations of a mode
    counts = np.bincount(mode[close], minlength=8)
    print("samples per mode", counts.tolist(), "near a mode", close.mean())
    assert close.mean() > 0.8
    assert counts.min() >= 40  # every mode, none collapsed away (125 each if even)
    last = epochs[-1].train
    assert set(last) >= {"d_loss", "g_loss", "d_real", "d_fake"}
    assert 0.2 < last["d_real"] < 0.8 and 0.2 < last["d_fake"] < 0.8  # near the equilibrium
    assert epochs[-1].samples.shape == (16, 2)


def test_fixed_noise_samples_are_the_same_codes_every_epoch():
    epochs: list[EpochEnded] = []
    step = GanStep()
    trainer = Trainer(ring_project(epochs=2), ring_data(300), device="cpu", train_step=step)
    trainer.subscribe(lambda e: epochs.append(e) if isinstance(e, EpochEnded) else None)
    assert isinstance(trainer.run(), RunFinished)
    with torch.no_grad():
        again = trainer.model.eval()(step.fixed_noise)
    torch.testing.assert_close(epochs[-1].samples, again)
    assert not torch.equal(epochs[0].samples, epochs[1].samples)  # the cells evolve


def test_d_steps_and_own_learning_rates():
    training = {
        "gan": {"d_steps": 3, "label_smoothing": 0.1},
        "graphs": {
            "generator": {"optimizer": {"type": "Adam", "lr": 0.0002}},
            "discriminator": {"optimizer": {"type": "SGD", "lr": 0.01}},
        },
    }
    step = GanStep()
    trainer = Trainer(
        ring_project(epochs=1, **training), ring_data(600), device="cpu", train_step=step
    )
    assert isinstance(trainer.run(), RunFinished)
    d_opt, g_opt = trainer.state.optimizers
    assert type(d_opt).__name__ == "SGD" and d_opt.param_groups[0]["lr"] == 0.01
    assert g_opt.param_groups[0]["lr"] == 0.0002 and g_opt.param_groups[0]["betas"][0] == 0.5
    # 6 batches of 100: 6 discriminator updates, so 2 generator updates.
    assert g_opt.state[g_opt.param_groups[0]["params"][0]]["step"] == 2


def test_checkpoints_keep_both_networks_and_a_resumed_run_gets_them_back(tmp_path):
    project = ring_project(epochs=2, checkpoint=True)
    first = Trainer(project, ring_data(300), device="cpu", run_dir=tmp_path / "a")
    result = first.run()
    assert isinstance(result, RunFinished)
    bundle = torch.load(tmp_path / "a" / "last.pt", weights_only=True)
    assert set(bundle["state_dicts"]) == {"generator", "discriminator"}
    critic, _ = load_checkpoint(tmp_path / "a" / "last.pt", network="discriminator")
    for key, value in first.train_step.critic.state_dict().items():
        torch.testing.assert_close(critic.state_dict()[key], value)
    more = TrainConfig.from_dict(project.training).replace(epochs=3)
    resumed = Trainer(
        project, ring_data(300), more, device="cpu", resume_from=tmp_path / "a" / "last.pt"
    )
    assert isinstance(resumed.run(), RunFinished)
    assert resumed.epoch == 3


def test_a_gan_project_without_a_discriminator_is_refused_by_name():
    project = ring_project(epochs=1)
    del project.graphs["discriminator"]
    result = Trainer(project, ring_data(100), device="cpu").run()
    assert isinstance(result, RunFailed) and "missing: discriminator" in result.message


def test_export_takes_the_generator_by_default_and_another_network_by_name(tmp_path):
    from neurocanvas.engine.export import ExportError, export, load_source

    trainer = Trainer(
        ring_project(epochs=1, checkpoint=True), ring_data(200), device="cpu", run_dir=tmp_path
    )
    result = trainer.run()
    generator = load_source(None, result.checkpoint)
    noise = torch.randn(5, 2)
    torch.testing.assert_close(generator.model(noise), trainer.model.eval()(noise))
    critic = load_source(None, result.checkpoint, network="discriminator")
    points = torch.randn(5, 2)
    torch.testing.assert_close(critic.model(points), trainer.train_step.critic.eval()(points))
    written = export(critic, "torchscript", tmp_path / "critic.pt")
    assert written.max_abs_diff < 1e-5
    with pytest.raises(ExportError, match="no network named 'critic'.*generator, discriminator"):
        load_source(None, result.checkpoint, network="critic")


def test_a_generator_whose_code_is_not_the_data_shape_loads_from_its_checkpoint(tmp_path):
    project = ring_project(epochs=1, latent=5, checkpoint=True)
    result = Trainer(project, ring_data(200), device="cpu", run_dir=tmp_path).run()
    generator, bundle = load_checkpoint(result.checkpoint)
    assert generator(torch.randn(3, 5)).shape == (3, 2)
    assert bundle["graph_auto"]["discriminator"]["input_shape"] == [2]
    critic, _ = load_checkpoint(result.checkpoint, network="discriminator")
    assert critic(torch.randn(3, 2)).shape == (3, 1)


def test_a_latent_input_is_not_checked_against_the_data_shape():
    from neurocanvas.engine.analysis import analyze
    from neurocanvas.engine.shapes import AutoSizes

    generator = ring_project(latent=5).graphs["generator"]
    assert not analyze(generator, AutoSizes((1, 28, 28), 10)).errors
    generator.nodes["z"].params["noise"] = "none"
    assert any(
        "expects samples" in str(e) for e in analyze(generator, AutoSizes((1, 28, 28), 10)).errors
    )


def test_mode_collapse_and_a_winning_discriminator_get_hints():
    from neurocanvas.engine.session.hints import fit_hint
    from neurocanvas.engine.training.gan_step import diversity

    assert diversity(torch.ones(8, 2)) == 0.0
    assert diversity(torch.tensor([[0.0], [2.0]])) == pytest.approx(2**0.5)
    healthy = {"d_real": 0.55, "d_fake": 0.45, "sample_diversity": 0.5, "data_diversity": 0.6}
    assert fit_hint([healthy] * 3) == ""
    collapsed = healthy | {"sample_diversity": 0.05}
    assert fit_hint([healthy, collapsed]) == ""  # one epoch is not yet a collapse
    assert fit_hint([collapsed, collapsed]).startswith("Mode collapse")
    winning = healthy | {"d_real": 0.99, "d_fake": 0.01}
    assert fit_hint([winning]).startswith("The discriminator wins")
