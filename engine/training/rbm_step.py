"""The RBM training step: contrastive divergence for the network's RBM node (`training.step:
"rbm"`, settings `rbm.k` and `rbm.persistent`).

The RBM must see the network's input (an Input, optionally a Flatten, then the RBM): each batch
is its visible data, in [0, 1] (pixels without standardisation). The gradient of `cd_step`
(layers/rbm.py) goes through the run's optimizer, so learning rate, momentum and weight decay
are the usual settings. The epoch's "loss" is the reconstruction error, mean squared
P(v | h0) - v0; `epoch_metrics` adds the mean free energy of training and validation samples
(a gap that opens while training is the RBM's overfitting signal, Hinton's practical guide
section 6), and `epoch_samples` the RBM tab's pictures (rbm_pictures.py: filters,
reconstructions of fixed samples, Gibbs chains from fixed seeds).

Layers above the RBM (a classifier reading its features) are left alone, and so is the RBM's
`trainable` switch: it is for backpropagation, so a frozen RBM is still trained here (its own
optimizer, with the run's settings) and stays frozen when a supervised run trains the layers
above it on its features (the rbm-features-mnist template).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch

from ..layers.rbm import BernoulliRBM, cd_step
from .metrics import EvalResult
from .optimizers import build_optimizer
from .rbm_pictures import SHOWN, rbm_picture
from .run_events import TrainingError
from .schedules import build_schedule
from .steps import TrainStep

if TYPE_CHECKING:
    from ..project import Project
    from .config import TrainConfig
    from .trainer import Trainer

FREE_ENERGY_SAMPLES = 1000  # samples of each split the free energy is averaged over


class RbmStep(TrainStep):
    """CD-k (or persistent CD) updates of the model's one RBM node."""

    def prepare(self, project: Project, data: Any, config: TrainConfig, device, model=None):
        from .run_state import prepare_run

        state = prepare_run(
            project.graph, data, config.replace(mode="reconstruction"), device, model
        )
        x, _ = state.splits["train"]
        val = state.splits.get("val")
        self.val_x = None if val is None else val[0][:FREE_ENERGY_SAMPLES]
        state.splits = {"train": (x, None), "val": None, "test": None}
        state.monitor = "loss"
        return state

    def configure(self, run, config: TrainConfig) -> None:
        super().configure(run, config)
        rbms = [m for m in run.model.modules() if isinstance(m, BernoulliRBM)]
        if len(rbms) != 1:
            raise TrainingError(f"the rbm step trains one RBM node; this network has {len(rbms)}")
        self.rbm = rbms[0]
        x, _ = run.splits["train"]
        if x[:1].flatten(1).shape[1] != self.rbm.weight.shape[1]:
            raise TrainingError(
                "the RBM must take the network's input (Input, Flatten, RBM): its "
                f"{self.rbm.weight.shape[1]} visible units differ from the "
                f"{x[:1].flatten(1).shape[1]} input values"
            )
        low, high = float(x.min()), float(x.max())
        if low < 0 or high > 1:
            raise TrainingError(
                f"a Bernoulli RBM sees values in [0, 1], but the inputs range over [{low:.3g}, "
                f"{high:.3g}]; turn off the data's standardisation (normalize)"
            )
        # Only the RBM's weights are updated, through an optimizer of their own (also when
        # they are frozen for backpropagation, when the run's optimizer never got them).
        self.optimizer = build_optimizer(self.rbm.parameters(), config.optimizer)
        run.optimizers = [self.optimizer]
        batches = math.ceil(len(x) / config.batch_size)
        run.schedule = build_schedule(
            self.optimizer, config.schedule, batches, config.epochs, run.monitor
        )
        self.k, self.persistent = config.rbm["k"], config.rbm["persistent"]
        self.chain: torch.Tensor | None = None
        self.train_x = x[:FREE_ENERGY_SAMPLES]
        self.sample_shape = tuple(x.shape[1:])
        # Where the tab's Gibbs chains start: noise with the training pixels' frequencies
        self.pixel_frequencies = x[:FREE_ENERGY_SAMPLES].flatten(1).float().mean(0)
        self.fixed = (self.val_x if self.val_x is not None and len(self.val_x) else x)[:SHOWN]

    def __call__(self, x: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v0 = x.flatten(1).float()
        chain = self.chain if self.persistent and self.chain is not None else None
        if chain is not None and chain.shape[0] != v0.shape[0]:  # the epoch's short last batch
            chain = chain[: v0.shape[0]]
        gradients, last, reconstruction = cd_step(self.rbm, v0, self.k, chain)
        if self.persistent:
            self.chain = last
        self.optimizer.zero_grad(set_to_none=True)
        for name, gradient in gradients.items():
            getattr(self.rbm, name).grad = gradient
        self.optimizer.step()
        loss = (reconstruction - v0).pow(2).mean()
        return loss, reconstruction

    @torch.no_grad()
    def epoch_metrics(self) -> dict[str, float]:
        result = {"free_energy": float(self.rbm.free_energy(self.train_x.float()).mean())}
        if self.val_x is not None and len(self.val_x):
            result["val_free_energy"] = float(self.rbm.free_energy(self.val_x.float()).mean())
        return result

    def epoch_samples(self) -> dict:
        """The RBM tab's pictures of the epoch just trained (plain numpy: they cross the
        training process's pipe as they are)."""
        return rbm_picture(self.rbm, self.sample_shape, self.fixed, start=self.pixel_frequencies)

    def final_evaluation(self, trainer: Trainer) -> EvalResult:
        last = trainer.history[-1] if trainer.history else {}
        trainer.evaluated_on, trainer.split_metrics = "train", {}
        keys = ("loss", "free_energy", "val_free_energy")
        return EvalResult({key: last[key] for key in keys if key in last})
