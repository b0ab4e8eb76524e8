"""The training settings, declared like layer parameters: one `SettingSpec` per key of the
project's "training" section, with its type, range, default, help and the label a form row and an
undo step use ("Set learning rate").

The sections, as a form shows them::

    SECTIONS["training"]        loss, epochs, batch_size, ... (the top-level keys)
    SECTIONS["optimizer"]       type, lr, weight_decay, momentum, nesterov
    SECTIONS["schedule"]        type, warmup_epochs (every schedule), then SCHEDULE_OPTIONS[type]
    SECTIONS["early_stopping"]  monitor, patience, min_delta, restore_best

`TrainConfig` validates itself from these (`check_section`), so a setting the form accepts is one
the trainer accepts, and a refused value gets one message naming the field. `OPTIMIZERS` is the one
optimizer table: its names are the optimizer choices, and `build_optimizer` passes each optimizer
only the settings it takes.

Adding a training setting: a `SettingSpec` in the right section here, a field on `TrainConfig`
(or `OptimizerConfig`) in config.py, and the code that reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..registry import ParamError
from ..setting_spec import SEED_LIMIT, SettingSpec, check_section, seed_number, whole_number
from .optimizers import OPTIMIZERS, OptimizerKind, build_optimizer, optimizer_name

__all__ = [
    "EARLY_STOPPING_SETTINGS",
    "GAN_SETTINGS",
    "RBM_SETTINGS",
    "OPTIMIZERS",
    "OPTIMIZER_SETTINGS",
    "SCHEDULE_OPTIONS",
    "SCHEDULE_SETTINGS",
    "SECTIONS",
    "TRAINING_SETTINGS",
    "OptimizerKind",
    "SettingSpec",
    "build_optimizer",
    "check_section",
    "spec_for",
]

# -- the sections --------------------------------------------------------------------------------

OPTIMIZER_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "type",
        "choice",
        "Adam",
        "How the weights follow the gradient",
        choices=tuple(OPTIMIZERS),
        label="optimizer",
        check=optimizer_name,
    ),
    SettingSpec(
        "lr",
        "float",
        1e-3,
        "Step size of each update; too high diverges, too low crawls",
        min=0.0,
        max=100.0,
        open_min=True,
        label="learning rate",
    ),
    SettingSpec(
        "weight_decay",
        "float",
        0.0,
        "Shrinks the weights a little at every step (L2 regularisation)",
        min=0.0,
        max=10.0,
        label="weight decay",
    ),
    SettingSpec(
        "momentum",
        "float",
        0.0,
        "SGD and RMSprop: how much of the last update carries into the next (0.9 is usual)",
        min=0.0,
        max=1.0,
        label="momentum",
    ),
    SettingSpec(
        "nesterov",
        "bool",
        False,
        "SGD with momentum: look ahead before taking the gradient",
        label="Nesterov momentum",
    ),
    SettingSpec(
        "amsgrad",
        "bool",
        False,
        "Adam and AdamW: never let the step size grow back (steadier on noisy gradients)",
        label="AMSGrad",
    ),
)

STEP_CHOICES = ("supervised", "gan", "rbm")
GAN_LOSSES = ("standard", "wgan-gp")
LOSS_CHOICES = ("auto", "cross_entropy", "binary_cross_entropy", "mse", "mae", "huber")
MODE_CHOICES = ("supervised", "reconstruction")
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
_METRICS = (
    "loss",
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "precision",
    "recall",
    "f1",
    "auc",
    "top5_accuracy",
)
MONITOR_CHOICES = tuple(
    prefix + name for prefix in ("val_", "") for name in (*_METRICS, "mse", "rmse", "mae", "r2")
)


def _device(spec: SettingSpec, value: Any) -> str:
    if value in DEVICE_CHOICES:
        return value
    if isinstance(value, str) and value.startswith("cuda:") and value[5:].isdigit():
        return value
    raise ParamError(f"{spec.name} must be auto, cpu, cuda, cuda:N or mps, got {value!r}")


def _auto_bool(spec: SettingSpec, value: Any) -> str | bool:
    if value == "auto" or isinstance(value, bool):
        return value
    raise ParamError(f"{spec.name} must be auto, true or false, got {value!r}")


def _count(name: str, default: int, help: str, label: str, minimum: int = 1, **more) -> SettingSpec:
    return SettingSpec(name, "int", default, help, min=minimum, label=label, **more)


TRAINING_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "step",
        "choice",
        "supervised",
        "What each batch trains: supervised = the main network on its loss; gan = a "
        "generator and a discriminator taking turns (the project's two graphs); rbm = the "
        "network's RBM node by contrastive divergence",
        choices=STEP_CHOICES,
        label="training step",
    ),
    SettingSpec(
        "loss",
        "choice",
        "auto",
        "What training minimises; auto picks it from the task",
        choices=LOSS_CHOICES,
        label="loss",
    ),
    _count(
        "epochs", 10, "Passes over the training data", "epochs", max=1_000_000, check=whole_number
    ),
    _count("batch_size", 32, "Samples per update", "batch size", max=1 << 24, check=whole_number),
    SettingSpec(
        "mode",
        "choice",
        "supervised",
        "supervised: learn the targets; reconstruction: learn to reproduce the input",
        choices=MODE_CHOICES,
        label="mode",
    ),
    SettingSpec(
        "l1", "float", 0.0, "Penalty on the absolute weights", min=0.0, max=1e3, label="L1 penalty"
    ),
    SettingSpec(
        "l2", "float", 0.0, "Penalty on the squared weights", min=0.0, max=1e3, label="L2 penalty"
    ),
    SettingSpec(
        "kl_weight",
        "float",
        1.0,
        "Variational autoencoders: weight of the KL term of the Sampling layers (per sample, "
        "divided by the values reconstructed, so 1 is the ELBO; 0 = a plain autoencoder)",
        min=0.0,
        max=1e6,
        label="KL weight",
    ),
    SettingSpec(
        "grad_clip",
        "float",
        None,
        "Largest gradient norm; larger gradients are scaled down (empty: no clipping)",
        min=0.0,
        max=1e6,
        open_min=True,
        optional=True,
        label="gradient clipping",
    ),
    SettingSpec(
        "grad_clip_value",
        "float",
        None,
        "Largest absolute value of each gradient element; larger ones are cut to it (empty: "
        "no clipping by value)",
        min=0.0,
        max=1e6,
        open_min=True,
        optional=True,
        label="clip gradients by value",
    ),
    SettingSpec(
        "monitor",
        "choice",
        "val_loss",
        "The metric that decides the best epoch (best.pt)",
        choices=MONITOR_CHOICES,
        label="monitored metric",
    ),
    SettingSpec(
        "seed",
        "int",
        0,
        "Makes initial weights, shuffling and dropout repeatable",
        min=-SEED_LIMIT - 1,
        max=SEED_LIMIT,
        label="seed",
        check=seed_number,
    ),
    SettingSpec("shuffle", "bool", True, "Shuffle the training data every epoch", label="shuffle"),
    SettingSpec(
        "device",
        "choice",
        "auto",
        "Where to train: auto takes a GPU when there is one",
        choices=DEVICE_CHOICES,
        label="device",
        check=_device,
    ),
    SettingSpec(
        "amp",
        "bool",
        "auto",
        "Mixed precision on a GPU (auto: where it is safe and faster)",
        auto=True,
        label="mixed precision",
        check=_auto_bool,
    ),
    SettingSpec(
        "compile",
        "bool",
        False,
        "Compile the training step with torch.compile: faster on long runs and bigger models; "
        "the first run of a network spends tens of seconds compiling (later runs reuse it)",
        label="compiled fast path",
    ),
    _count(
        "num_threads",
        None,
        "CPU threads (empty: chosen from the model's size)",
        "CPU threads",
        max=1024,
        optional=True,
        check=whole_number,
    ),
    _count(
        "processes",
        1,
        "Processes on this machine that train together (DistributedDataParallel under "
        "torchrun: gloo on the CPU, NCCL with one GPU each), each on its own slice of every "
        "batch: the batch size is per process, so an update sees processes x batch size "
        "samples. Used by `neurocanvas train PROJECT` (also --nproc-per-node N); the window "
        "trains in one process, so save the project and train it from the command line",
        "processes",
        max=1024,
        check=whole_number,
    ),
    _count(
        "eval_batch_size",
        1024,
        "Samples per batch when evaluating",
        "evaluation batch size",
        max=1 << 24,
        check=whole_number,
    ),
    SettingSpec(
        "restore_best",
        "bool",
        True,
        "End the run with the best epoch's weights",
        label="restore the best weights",
    ),
    SettingSpec(
        "checkpoint", "bool", True, "Save the best and the last checkpoint", label="checkpoints"
    ),
    SettingSpec(
        "tensorboard",
        "bool",
        False,
        "Also write TensorBoard logs (when it is installed)",
        label="TensorBoard logs",
    ),
)

SCHEDULE_CHOICES = ("none", "step", "cosine", "plateau", "one_cycle", "warmup")
SCHEDULE_ALIASES = {
    "onecycle": "one_cycle",
    "one-cycle": "one_cycle",
    "cos": "cosine",
    "reduce_on_plateau": "plateau",
    "linear_warmup": "warmup",
}


def _schedule_type(spec: SettingSpec, value: Any) -> str:
    kind = value.lower() if isinstance(value, str) else None
    kind = SCHEDULE_ALIASES.get(kind, kind)
    if kind not in SCHEDULE_CHOICES:
        raise ParamError(f"{spec.name} must be one of {', '.join(SCHEDULE_CHOICES)}; got {value!r}")
    return kind


SCHEDULE_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "type",
        "choice",
        "none",
        "How the learning rate changes during the run",
        choices=SCHEDULE_CHOICES,
        label="LR schedule",
        check=_schedule_type,
    ),
    SettingSpec(
        "warmup_epochs",
        "float",
        0.0,
        "Epochs of linear warm-up from 0 to the learning rate (any schedule)",
        min=0.0,
        max=1e4,
        label="warm-up epochs",
    ),
)

# The settings each schedule type takes besides those above.
SCHEDULE_OPTIONS: Mapping[str, tuple[SettingSpec, ...]] = MappingProxyType(
    {
        "none": (),
        "warmup": (),
        "step": (
            _count("step_size", 10, "Epochs between decays", "decay every", max=1_000_000),
            SettingSpec(
                "gamma",
                "float",
                0.1,
                "Factor at each decay",
                min=0.0,
                max=1.0,
                open_min=True,
                label="decay factor",
            ),
        ),
        "cosine": (
            SettingSpec(
                "min_lr",
                "float",
                0.0,
                "Learning rate at the end",
                min=0.0,
                max=100.0,
                label="final learning rate",
            ),
        ),
        "plateau": (
            SettingSpec(
                "factor",
                "float",
                0.1,
                "Factor when the metric stalls",
                min=0.0,
                max=1.0,
                open_min=True,
                label="reduction factor",
            ),
            _count("patience", 5, "Epochs without improvement first", "patience", minimum=0),
            SettingSpec(
                "mode",
                "choice",
                None,
                "min or max (empty: from the monitored metric)",
                choices=("min", "max"),
                optional=True,
                label="direction",
            ),
        ),
        "one_cycle": (
            SettingSpec(
                "max_lr",
                "float",
                None,
                "Peak learning rate (empty: the optimizer's)",
                min=0.0,
                max=100.0,
                open_min=True,
                optional=True,
                label="peak learning rate",
            ),
            SettingSpec(
                "pct_start",
                "float",
                0.3,
                "Fraction of the run spent rising",
                min=0.0,
                max=1.0,
                open_min=True,
                label="rising fraction",
            ),
        ),
    }
)

EARLY_STOPPING_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "monitor",
        "choice",
        "val_loss",
        "The metric that must keep improving",
        choices=MONITOR_CHOICES,
        label="early-stopping metric",
    ),
    _count("patience", 5, "Epochs without improvement before stopping", "patience", minimum=0),
    SettingSpec(
        "min_delta",
        "float",
        0.0,
        "Smallest change that counts as an improvement",
        min=0.0,
        max=1e6,
        label="minimum improvement",
    ),
    SettingSpec(
        "restore_best",
        "bool",
        True,
        "End with the best epoch's weights",
        label="restore the best weights",
    ),
)

GAN_SETTINGS: tuple[SettingSpec, ...] = (
    _count(
        "d_steps",
        1,
        "Discriminator updates per generator update (k in Goodfellow et al. 2014)",
        "discriminator steps per generator step",
        max=100,
        check=whole_number,
    ),
    SettingSpec(
        "label_smoothing",
        "float",
        0.0,
        "One-sided label smoothing: the discriminator's target for real samples is "
        "1 - this (0.1 is usual; it keeps D from growing over-confident)",
        min=0.0,
        max=0.5,
        label="label smoothing",
    ),
    SettingSpec(
        "loss",
        "choice",
        "standard",
        "standard = binary cross-entropy on D's logits (non-saturating for G); wgan-gp = a "
        "Wasserstein critic with a gradient penalty (Gulrajani et al. 2017): D's output is a "
        "score, not a probability (use 5 discriminator steps, Adam lr 1e-4)",
        choices=GAN_LOSSES,
        label="GAN loss",
    ),
    SettingSpec(
        "gp_weight",
        "float",
        10.0,
        "wgan-gp: the weight of the penalty on the critic's gradient norm away from 1 "
        "(lambda, 10 in the paper)",
        min=0.0,
        max=1e4,
        label="gradient penalty weight",
    ),
    _count(
        "samples",
        16,
        "Samples drawn from fixed noise at the end of every epoch (the same cells evolve)",
        "fixed-noise samples",
        max=1024,
        check=whole_number,
    ),
)

RBM_SETTINGS: tuple[SettingSpec, ...] = (
    _count(
        "k",
        1,
        "Gibbs steps of contrastive divergence per update (CD-k; 1 is usual)",
        "Gibbs steps (k)",
        max=1000,
        check=whole_number,
    ),
    SettingSpec(
        "persistent",
        "bool",
        False,
        "Persistent CD: the negative chain carries on from the last batch instead of "
        "restarting at the data (Tieleman 2008)",
        label="persistent CD",
    ),
)

SECTIONS: Mapping[str, tuple[SettingSpec, ...]] = MappingProxyType(
    {
        "training": TRAINING_SETTINGS,
        "gan": GAN_SETTINGS,
        "rbm": RBM_SETTINGS,
        "optimizer": OPTIMIZER_SETTINGS,
        "schedule": SCHEDULE_SETTINGS,
        "early_stopping": EARLY_STOPPING_SETTINGS,
    }
)


def spec_for(section: str, name: str, schedule: str | None = None) -> SettingSpec:
    """The spec of `name` in `section` (for "schedule", also the settings of type `schedule`)."""
    specs = SECTIONS[section] + (
        SCHEDULE_OPTIONS.get(schedule, ()) if section == "schedule" else ()
    )
    for spec in specs:
        if spec.name == name:
            return spec
    raise KeyError(f"no {section} setting {name!r}")
