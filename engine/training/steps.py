"""Training steps: what the trainer's loop does with one batch, as a pluggable object.

The loop (trainer.py) owns the run: ordering and slicing batches, augmentation, pause and stop,
the step count, running metrics, throttled progress, callbacks, validation, checkpoints. A
`TrainStep` owns the update: forward, loss, backward, the optimizers and the per-batch LR
schedule. The default, `SupervisedStep`, is one model, one loss, one optimizer. Another step (two
optimizers taking turns for a GAN, contrastive divergence for an RBM) plugs into the same loop:

    trainer = Trainer(project, data, config, train_step=MyStep())

A step is called for every batch, so `__call__` must stay cheap: no host-device syncs, nothing
that `configure` could have done once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch

from ..layers.sampling import sampling_layers
from .devices import autocast
from .grad_norms import GradNormTracker

if TYPE_CHECKING:
    from ..project import Project
    from .config import TrainConfig
    from .run_state import RunState
    from .trainer import Trainer


class TrainStep:
    """One training step on one batch. Subclasses implement `__call__`; the rest has defaults
    that suit any step whose optimizers are in `run.optimizers` (checkpointed and resumed)."""

    run: RunState
    config: TrainConfig
    keeps_best = True  # the monitored metric ranks epochs (best.pt, restore_best)

    def prepare(self, project: Project, data: Any, config: TrainConfig, device, model=None):
        """The run's `RunState`: by default the project's main graph trained on the data
        (`prepare_run`); a step that trains other graphs (a GAN's two) builds its own."""
        from .run_state import prepare_run

        return prepare_run(project.graph, data, config, device, model)

    def epoch_metrics(self) -> dict[str, float]:
        """Figures of the epoch just trained, merged into its training metrics ({} here)."""
        return {}

    def epoch_samples(self) -> torch.Tensor | None:
        """Outputs to show after each epoch (a generator's fixed-noise samples), or None."""
        return None

    def other_state_dicts(self) -> dict[str, dict[str, torch.Tensor]]:
        """The weights of the graphs it trains besides the model, by graph name (checkpoints'
        `state_dicts`)."""
        return {}

    def other_auto_sizes(self) -> dict:
        """The `auto` sizes of those other graphs, by name (checkpoints' `graph_auto`)."""
        return {}

    def final_evaluation(self, trainer: Trainer):
        """The run's result after training: every split scored (final_evaluation.py)."""
        from .final_evaluation import final_evaluation

        return final_evaluation(trainer)

    def configure(self, run: RunState, config: TrainConfig) -> None:
        """Once per run, after `prepare_run` and before the first batch (and before a resumed
        run loads its state): keep what the step needs. A step with optimizers of its own sets
        `run.optimizers` here, so checkpoints hold their state."""
        self.run, self.config = run, config

    def __call__(self, x: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Train on one batch; return (loss, out): the batch's loss as a 0-d tensor (not read:
        reading syncs) and the outputs the running accuracy is measured on."""
        raise NotImplementedError

    def epoch_grad_norms(self) -> dict[str, float]:
        """{node id: mean gradient norm} over the epoch just trained ({} when not tracked)."""
        tracker = getattr(self, "grad_norms", None)
        return tracker.read() if tracker is not None else {}

    def end_epoch(self, logs: dict[str, float], monitor: str) -> None:
        """After validation, with the epoch's `logs` (a reduce-on-plateau schedule steps here)."""
        schedule = self.run.schedule
        if schedule.plateau:
            schedule.scheduler.step(logs.get(monitor, logs["loss"]))

    @property
    def lr(self) -> float:
        """The learning rate shown in events and logs: the first optimizer's."""
        optimizers = self.run.optimizers
        return optimizers[0].param_groups[0]["lr"] if optimizers else math.nan

    def state_dict(self) -> dict[str, Any]:
        """What last.pt keeps to resume: the optimizers' and the schedule's state."""
        optimizers = self.run.optimizers
        state: dict[str, Any] = {"scheduler": self.run.schedule.state_dict()}
        if len(optimizers) == 1:  # the key a one-optimizer checkpoint has always had
            state["optimizer"] = optimizers[0].state_dict()
        else:
            state["optimizers"] = [optimizer.state_dict() for optimizer in optimizers]
        return state

    def load_state_dict(self, bundle: dict[str, Any]) -> None:
        """Back from a checkpoint bundle holding `state_dict()`'s keys."""
        optimizers = self.run.optimizers
        states = [bundle["optimizer"]] if "optimizer" in bundle else bundle.get("optimizers", [])
        for optimizer, state in zip(optimizers, states, strict=True):
            optimizer.load_state_dict(state)
        self.run.schedule.load_state_dict(bundle.get("scheduler"))


class SupervisedStep(TrainStep):
    """Forward the view, loss (plus L1/L2 penalties), backward, per-layer gradient norms, clip
    (by value, then by norm), optimizer step, per-batch LR schedule; with a gradient scaler under
    float16 autocast."""

    def configure(self, run: RunState, config: TrainConfig) -> None:
        super().configure(run, config)
        (self.optimizer,) = run.optimizers
        self.view, self.device, self.amp, self.scaler = (
            run.train_forward if run.train_forward is not None else run.view,
            run.device,
            run.amp_dtype,
            run.scaler,
        )
        self.loss_fn = run.objective.loss_fn()
        self.parameters = list(run.model.parameters())
        self.per_batch = run.schedule.scheduler if run.schedule.per_batch else None
        self.clip = config.grad_clip
        self.clip_value = config.grad_clip_value
        self.grad_norms = GradNormTracker(run.model)
        self.weights = [p for p in self.parameters if p.ndim >= 2 and p.requires_grad]
        self.penalty = self._penalty if (config.l1 or config.l2) else None
        self.sampling = sampling_layers(run.model) if config.kl_weight else []

    def __call__(self, x: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        optimizer, scaler, amp = self.optimizer, self.scaler, self.amp
        with autocast(self.device, amp):
            out = self.view(x)
        out = out.float() if amp is not None else out
        loss = self.loss_fn(out, target)
        if self.penalty is not None:
            loss = loss + self.penalty()
        if self.sampling:
            loss = loss + kl_penalty(self.sampling, self.config.kl_weight, out)
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
        else:
            loss.backward()
        self.grad_norms.update()  # before clipping: what the loss asked for
        if self.clip_value is not None:
            torch.nn.utils.clip_grad_value_(self.parameters, self.clip_value)
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(self.parameters, self.clip)
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        if self.per_batch is not None:
            self.per_batch.step()
        return loss, out

    def _penalty(self) -> torch.Tensor:
        l1, l2, total = self.config.l1, self.config.l2, 0.0
        for weight in self.weights:
            if l1:
                total = total + l1 * weight.abs().sum()
            if l2:
                total = total + l2 * weight.pow(2).sum()
        return total


def kl_penalty(layers: list, weight: float, out: torch.Tensor) -> torch.Tensor:
    """`weight` x the Sampling layers' KL terms (each per sample, batch mean) divided by the
    values each sample's output holds: the reconstruction losses are means per value, so this
    keeps their ratio that of the per-sample ELBO (weight 1)."""
    values = max(out[0].numel(), 1) if out.ndim else 1
    total = sum(layer.kl for layer in layers if layer.kl is not None)
    return weight * total / values


def training_step(config: TrainConfig, ranks=None) -> TrainStep:
    """The step the `step` training setting names; with `ranks` (several processes), the
    supervised step under DistributedDataParallel (distributed.py)."""
    if ranks is not None:
        from .distributed import DistributedStep

        return DistributedStep(ranks)
    if config.step == "gan":
        from .gan_step import GanStep

        return GanStep()
    if config.step == "rbm":
        from .rbm_step import RbmStep

        return RbmStep()
    return SupervisedStep()
