"""The GAN training step: a generator and a discriminator, two graphs of one project, taking turns.

    project.graphs = {"generator": G, "discriminator": D}, training {"step": "gan", ...}
    Trainer(project, data, config, train_step=GanStep())   # `training_step(config)` picks it

Each batch of real samples is one discriminator update: D learns real -> 1 (or 1 - label
smoothing: one-sided smoothing, Salimans et al. 2016) and G(z) -> 0, with binary cross-entropy on
its logits. Every `d_steps`-th batch is also a generator update with the non-saturating loss,
-log D(G(z)) (Goodfellow et al. 2014, section 3), whose gradient does not vanish when D wins.
Each network has its own optimizer and learning rate (`training.graphs.NAME.optimizer`, else the
shared optimizer); Adam and AdamW get beta1 = 0.5, as DCGAN (Radford et al. 2016) trains.

The generator's Input with `noise` normal or uniform is the latent code; its shape is the code's
size. The discriminator outputs one logit per sample (a final Sigmoid is folded into the loss).
Per epoch the step reports the discriminator's loss, the generator's, and the mean D(real) and
D(fake) probabilities (read once an epoch: no per-batch sync); `EpochEnded.samples` carries the
generator's outputs for fixed noise, the same codes every epoch, so a grid's cells evolve.

With `gan.loss: "wgan-gp"` the discriminator is a Wasserstein critic (Gulrajani et al. 2017):
it minimises mean D(fake) - mean D(real) + gp_weight * mean((|grad D(x_hat)| - 1)^2) on points
x_hat between real and generated samples, the generator minimises -mean D(G(z)); the epoch
figures then hold the critic's mean scores (`d_real`, `d_fake`: scores, not probabilities) and
`wasserstein`, their difference (the distance estimate, which falls as G improves).

The run's "model" is the generator: best.pt/last.pt hold it as `state_dict` (what export and
Try it use) and both networks under `state_dicts`. A GAN's losses do not measure sample quality,
so every epoch is the newest best and the run ends with the last weights.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from ..compiler import compile_graph
from ..graph import Graph
from ..shapes import AutoSizes
from .checkpoint import cpu_state_dict
from .devices import configure_threads, step_flops
from .digit_score import DIGIT_SHAPE, score_digits
from .gan_condition import conditioning, feed
from .losses import Objective, find_head, strip_head
from .metrics import EvalResult
from .optimizers import build_optimizer
from .run_events import TrainingError
from .run_state import RunState
from .schedules import build_schedule
from .steps import TrainStep

if TYPE_CHECKING:
    from ..project import Project
    from .config import TrainConfig
    from .trainer import Trainer

GENERATOR, DISCRIMINATOR = "generator", "discriminator"
FIXED_NOISE_SEED = 20140610  # the fixed-noise samples' codes (the GAN paper's arXiv date)


def latent_input(graph: Graph) -> tuple[tuple[int, ...], str]:
    """(shape, distribution) of the generator's noise Input; TrainingError naming the fix."""
    # A conditional GAN's class-label Input (gan_condition.py) is not the code
    inputs = [n for n in graph if n.type == "Input" and n.params.get("noise") != "class"]
    noisy = [node for node in inputs if node.params.get("noise", "none") != "none"]
    if len(inputs) != 1 or len(noisy) != 1:
        raise TrainingError(
            "the generator needs exactly one Input, with noise set to normal or uniform (its "
            f"shape is the latent code's size); it has {len(inputs)} Input(s), "
            f"{len(noisy)} with noise"
        )
    shape = noisy[0].params.get("shape")
    if not isinstance(shape, (list, tuple)) or any(s <= 0 for s in shape):
        raise TrainingError(
            f"the generator's noise Input {noisy[0].id} needs a fixed shape such as 100 "
            f"(the latent code's size), not {shape!r}"
        )
    return tuple(int(s) for s in shape), noisy[0].params["noise"]


def latent_id(graph: Graph) -> str:
    """The node id of the generator's noise Input (latent_input checked it)."""
    return next(n.id for n in graph if n.params.get("noise") in ("normal", "uniform"))


def draw_noise(
    n: int, shape: tuple[int, ...], kind: str, device, generator: torch.Generator | None = None
) -> torch.Tensor:
    """n latent codes: N(0, 1) for normal, U(-1, 1) for uniform."""
    if kind == "uniform":
        return torch.rand((n, *shape), generator=generator, device=device) * 2 - 1
    return torch.randn((n, *shape), generator=generator, device=device)


def gradient_penalty(
    critic, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor | None = None
) -> torch.Tensor:
    """WGAN-GP's penalty: mean over samples of (|grad_x D(x_hat)|_2 - 1)^2 at x_hat = eps * real
    + (1 - eps) * fake, one eps ~ U(0, 1) per sample (or the given (N,) `eps`)."""
    n = real.shape[0]
    if eps is None:
        eps = torch.rand(n, device=real.device)
    eps = eps.reshape(n, *([1] * (real.dim() - 1))).to(real.dtype)
    between = (eps * real + (1 - eps) * fake).requires_grad_(True)
    scores = critic(between).reshape(n)
    (grad,) = torch.autograd.grad(scores.sum(), between, create_graph=True)
    return ((grad.reshape(n, -1).norm(2, dim=1) - 1) ** 2).mean()


def diversity(samples: torch.Tensor) -> float:
    """The samples' standard deviation across samples, averaged over their values: near 0 when
    every code gives (nearly) the same output, mode collapse's signature."""
    if len(samples) < 2:
        return 0.0
    return float(samples.flatten(1).float().std(0).mean())


class GanStep(TrainStep):
    """Alternating discriminator and generator updates (see the module docstring)."""

    keeps_best = False  # GAN losses do not rank epochs: the run keeps its last weights

    def prepare(self, project: Project, data: Any, config: TrainConfig, device, model=None):
        graphs = project.graphs
        missing = [name for name in (GENERATOR, DISCRIMINATOR) if name not in graphs]
        if missing:
            raise TrainingError(
                f"the gan step trains graphs named generator and discriminator; this project "
                f"has {', '.join(graphs) or 'none'} (missing: {', '.join(missing)})"
            )
        train = data.train
        if train is None or len(train.x) == 0:
            raise TrainingError("the training split is empty; give the data more samples")
        self.latent_shape, self.latent_kind = latent_input(graphs[GENERATOR])
        self.code_id = latent_id(graphs[GENERATOR])
        classes = len(data.class_names) if getattr(data, "class_names", None) else 0
        self.condition = conditioning(graphs[GENERATOR], graphs[DISCRIMINATOR], classes)
        self.sample_id = next(
            n.id
            for n in graphs[DISCRIMINATOR]
            if n.type == "Input" and n.params.get("noise") != "class"
        )
        sample_shape = tuple(train.x.shape[1:])
        generator = model or compile_graph(graphs[GENERATOR], auto=AutoSizes(), seed=config.seed)
        auto = AutoSizes(sample_shape, 1, "float32")
        critic = compile_graph(graphs[DISCRIMINATOR], auto=auto, seed=config.seed + 1)
        generator.to(device)
        critic.to(device)
        self._check_shapes(generator, critic, sample_shape, device)
        if device.type == "cpu":  # threads for the two networks' size, as prepare_run chooses
            noise = draw_noise(1, self.latent_shape, self.latent_kind, device)
            flops = step_flops(generator, noise, config.batch_size)
            flops += 2 * step_flops(critic, train.x[:1].float().to(device), config.batch_size)
            configure_threads(config.num_threads, None if config.num_threads else flops)
        head, _, _ = find_head(critic)
        self.critic, self.critic_auto = critic, auto
        self.critic_logits = strip_head(critic) if head == "sigmoid" else critic
        torch.manual_seed(config.seed)
        optimizers = [
            self._optimizer(critic, config, DISCRIMINATOR),
            self._optimizer(generator, config, GENERATOR),
        ]
        batches = math.ceil(len(train.x) / config.batch_size)
        x = train.x.float().to(device)
        labels = train.y.long().reshape(-1).to(device) if self.condition else None
        generator.task, generator.loss = "generation", "binary_cross_entropy"
        generator.mode = config.mode
        generator.class_names = list(data.class_names) if self.condition else []
        return RunState(
            model=generator,
            view=generator,
            objective=Objective(
                "binary_cross_entropy",
                "generation",
                "none",
                "none",
                note="GAN: the discriminator's binary cross-entropy on real and generated "
                "samples; the generator's non-saturating loss -log D(G(z)).",
            ),
            auto=AutoSizes(),  # the generator's: noise in, a sample out (no data sizes)
            device=device,
            splits={"train": (x, labels), "val": None, "test": None},
            optimizers=optimizers,
            schedule=build_schedule(optimizers[1], None, batches, config.epochs, "loss"),
            scaler=None,
            amp_dtype=None,
            monitor="loss",
            num_classes=2,
            batches_per_epoch=batches,
            generator=torch.Generator().manual_seed(config.seed),
        )

    @staticmethod
    def _optimizer(model, config: TrainConfig, name: str) -> torch.optim.Optimizer:
        optimizer = build_optimizer(model.parameters(), config.optimizer_for(name))
        if "betas" in optimizer.defaults:  # DCGAN's beta1 = 0.5: steadier adversarial steps
            for group in optimizer.param_groups:
                group["betas"] = (0.5, group["betas"][1])
        return optimizer

    def make(self, generator, noise: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """The generator's samples for codes `noise` (and classes `labels`, conditional)."""
        if self.condition is None:
            return generator(noise)
        hot = self.condition.one_hot(labels)
        return feed(generator, {self.code_id: noise, self.condition.generator_input: hot})

    def judge(self, critic, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """The discriminator's logits (N,) for samples `x` (of classes `labels`, conditional)."""
        return self._scores(critic, x, labels).reshape(x.shape[0])

    def _scores(self, critic, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """The discriminator's output for `x`, as it comes (one value per sample or not)."""
        if self.condition is None:
            return critic(x)
        hot = self.condition.one_hot(labels)
        return feed(critic, {self.sample_id: x, self.condition.discriminator_input: hot})

    def _labels(self, n: int, generator: torch.Generator | None = None, device=None):
        if self.condition is None:
            return None
        return self.condition.random_labels(n, device or self.device, generator)

    def _check_shapes(self, generator, critic, sample_shape, device) -> None:
        noise = draw_noise(2, self.latent_shape, self.latent_kind, device)
        self.device = device
        labels = self._labels(2)
        with torch.no_grad():
            fake = self.make(generator.eval(), noise, labels)
            if tuple(fake.shape[1:]) != sample_shape:
                raise TrainingError(
                    f"the generator makes samples of shape {tuple(fake.shape[1:])}, but the data's "
                    f"samples are {sample_shape}; make its last layer output {sample_shape}"
                )
            score = self._scores(critic.eval(), fake, labels)
        if score.reshape(2, -1).shape[1] != 1:
            raise TrainingError(
                f"the discriminator must output one value per sample (Dense 1), not "
                f"{tuple(score.shape[1:])}"
            )
        generator.train(), critic.train()

    def configure(self, run: RunState, config: TrainConfig) -> None:
        super().configure(run, config)
        self.d_optimizer, self.g_optimizer = run.optimizers
        self.generator_net, self.device = run.model, run.device
        settings = config.gan
        self.d_steps, self.smoothing = settings["d_steps"], settings["label_smoothing"]
        self.wasserstein = settings.get("loss") == "wgan-gp"
        self.gp_weight = float(settings.get("gp_weight", 10.0))
        codes = torch.Generator(device="cpu").manual_seed(FIXED_NOISE_SEED)
        self.fixed_noise = draw_noise(
            settings["samples"], self.latent_shape, self.latent_kind, "cpu", codes
        ).to(run.device)
        # A conditional GAN's fixed samples: the classes in turn (row by row in a grid)
        self.fixed_labels = None
        if self.condition is not None:
            count = settings["samples"]
            self.fixed_labels = (torch.arange(count) % self.condition.classes).to(run.device)
        self.batch = 0
        x, _ = run.splits["train"]
        self.data_diversity = diversity(x[: settings["samples"] * 4])
        self._reset_sums()

    def _reset_sums(self) -> None:
        zeros = lambda: torch.zeros((), dtype=torch.float64, device=self.device)  # noqa: E731
        self.sums = {"d_loss": zeros(), "g_loss": zeros(), "d_real": zeros(), "d_fake": zeros()}
        self.counts = {"d": 0, "g": 0}
        self.g_loss = torch.zeros((), device=self.device)

    def noise(self, n: int) -> torch.Tensor:
        return draw_noise(n, self.latent_shape, self.latent_kind, self.device)

    def __call__(self, x: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n, critic, sums = x.shape[0], self.critic_logits, self.sums
        real_labels = target if self.condition is not None else None
        fake_labels = self._labels(n)
        fake = self.make(self.generator_net, self.noise(n), fake_labels)
        real_logits = self.judge(critic, x, real_labels)
        fake_logits = self.judge(critic, fake.detach(), fake_labels)
        if self.wasserstein:
            # The penalty at the real samples' classes (a conditional critic's one-hot codes)
            penalty = gradient_penalty(
                lambda between: self.judge(critic, between, real_labels), x, fake.detach()
            )
            d_loss = fake_logits.mean() - real_logits.mean() + self.gp_weight * penalty
        else:
            real_target = torch.full_like(real_logits, 1.0 - self.smoothing)
            d_loss = F.binary_cross_entropy_with_logits(
                real_logits, real_target
            ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        self.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_optimizer.step()
        with torch.no_grad():
            sums["d_loss"] += d_loss.detach() * n
            # A critic's scores are not probabilities: its mean scores as they are
            read = (lambda v: v) if self.wasserstein else torch.sigmoid  # noqa: E731
            sums["d_real"] += read(real_logits).sum()
            sums["d_fake"] += read(fake_logits).sum()
        self.counts["d"] += n
        self.batch += 1
        if self.batch % self.d_steps == 0:
            # Non-saturating: maximise log D(G(z)), i.e. BCE against "real" on fresh codes.
            labels = self._labels(n)
            generated = self.make(self.generator_net, self.noise(n), labels)
            scores = self.judge(critic, generated, labels)
            if self.wasserstein:
                g_loss = -scores.mean()
            else:
                g_loss = F.binary_cross_entropy_with_logits(scores, torch.ones_like(scores))
            self.g_optimizer.zero_grad(set_to_none=True)
            g_loss.backward()
            self.g_optimizer.step()
            self.g_loss = g_loss.detach()
            sums["g_loss"] += self.g_loss * n
            self.counts["g"] += n
        return self.g_loss, fake.detach()

    def epoch_metrics(self) -> dict[str, float]:
        """The epoch's mean D and G losses and D(real), D(fake) (one read); sums reset."""
        d, g = max(self.counts["d"], 1), max(self.counts["g"], 1)
        values = {key: value.item() for key, value in self.sums.items()}
        result = {
            "d_loss": values["d_loss"] / d,
            "g_loss": values["g_loss"] / g,
            "d_real": values["d_real"] / d,
            "d_fake": values["d_fake"] / d,
        }
        if self.wasserstein:
            result["wasserstein"] = result["d_real"] - result["d_fake"]
        self._reset_sums()
        # How varied the fixed-noise samples are, next to the real data's (mode collapse).
        result["sample_diversity"] = diversity(self.epoch_samples())
        result["data_diversity"] = self.data_diversity
        return result

    def epoch_samples(self) -> torch.Tensor:
        """The generator's outputs for the fixed noise, in eval mode, on the CPU."""
        was_training = self.generator_net.training
        self.generator_net.eval()
        with torch.no_grad():
            samples = self.make(self.generator_net, self.fixed_noise, self.fixed_labels)
            samples = samples.float().cpu()
        self.generator_net.train(was_training)
        return samples

    def end_epoch(self, logs: dict[str, float], monitor: str) -> None:
        return None  # no LR schedule of its own

    def other_state_dicts(self) -> dict[str, dict[str, torch.Tensor]]:
        return {DISCRIMINATOR: cpu_state_dict(self.critic)}

    def other_auto_sizes(self) -> dict[str, AutoSizes]:
        return {DISCRIMINATOR: self.critic_auto}

    def load_state_dict(self, bundle: dict[str, Any]) -> None:
        states = bundle.get("state_dicts") or {}
        if DISCRIMINATOR in states:
            self.critic.load_state_dict(states[DISCRIMINATOR])
        super().load_state_dict(bundle)

    def final_evaluation(self, trainer: Trainer) -> EvalResult:
        """The last epoch's figures as the run's result (a GAN has no held-out loss)."""
        last = trainer.history[-1] if trainer.history else {}
        keys = ("loss", "d_loss", "g_loss", "d_real", "d_fake", "wasserstein")
        trainer.evaluated_on, trainer.split_metrics = "train", {}
        metrics = {key: last[key] for key in keys if key in last}
        if tuple(self.fixed_noise_samples_shape()) == DIGIT_SHAPE:
            # MNIST-like digits: scored by our own classifier (digit_score.py), no download.
            metrics.update(score_digits(self.sampler()))
        return EvalResult(metrics)

    def sampler(self):
        """`draw(n, seed)`: n samples of the generator in eval mode on the CPU, from seeded
        codes (and, conditional, the classes in turn)."""

        def draw(n: int, seed: int = 0) -> torch.Tensor:
            codes = torch.Generator(device="cpu").manual_seed(seed)
            noise = draw_noise(n, self.latent_shape, self.latent_kind, "cpu", codes)
            labels = None if self.condition is None else torch.arange(n) % self.condition.classes
            model = self.generator_net
            was_training = model.training
            model.eval()
            with torch.no_grad():
                device = self.device
                labels = None if labels is None else labels.to(device)
                out = self.make(model, noise.to(device), labels).float().cpu()
            model.train(was_training)
            return out

        return draw

    def fixed_noise_samples_shape(self) -> tuple[int, ...]:
        return tuple(self.epoch_samples().shape[1:])
