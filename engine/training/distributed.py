"""Training across processes: one `Trainer` per rank, DistributedDataParallel between them.

`neurocanvas train PROJECT --nproc-per-node N` starts torchrun (launch.py), which starts
`neurocanvas train` once per rank; each rank finds itself in torchrun's environment
(`Ranks.from_environment`), joins the process group (gloo on the CPU, NCCL on CUDA) and runs the
whole trainer over the whole data set with the project's seed. So:

- Sharding. Every rank draws the same shuffled order from the same seeded generator. Batch i of
  the run is the global batch `order[i*W*B : (i+1)*W*B]` (W ranks, B the project's batch size,
  per process), and rank r trains on the r-th of its W near-equal contiguous slices
  (`Ranks.take`). The union of the ranks' batch-i samples is exactly the single process's batch i
  at batch size W*B; no sample is repeated or dropped (unlike DistributedSampler's padding).
- Gradients. DDP reduces them through a comm hook that weights each rank's by its share of the
  global batch (n_r / n) and sums: with a mean-reduced loss that is the gradient of the mean over
  all n samples, so each update equals one process's update on the global batch, also for an
  uneven last batch. (Plain DDP averaging, 1/W each, is the same whenever the slices are equal.)
  A rank whose slice of a tiny last batch is empty trains on a stand-in sample with weight 0.
- Metrics. The epoch's training loss and accuracy are sums (loss x samples, correct, samples)
  all-reduced across ranks, then divided, so they are the figures of every sample trained.
- Validation runs on rank 0 only; its result is broadcast so that early stopping, the best epoch
  and a plateau schedule decide alike on every rank. The final test evaluation is rank 0's alone.
- Writing. Only rank 0 has a run folder (config.json, metrics, checkpoints, result.json) and
  prints progress or JSON; the other ranks train without checkpoints or logs.

BatchNorm statistics are each rank's own (DDP keeps rank 0's buffers), so a network with
BatchNorm is not bit-for-bit the single large-batch run; one without it is, within float error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
import torch.distributed as dist

from .launch import inside_torchrun
from .run_events import TrainingError
from .steps import SupervisedStep

if TYPE_CHECKING:
    from .metrics import RunningMetrics
    from .trainer import Trainer

# What torchrun sets in each worker's environment (torch.distributed.run).
_ENVIRONMENT = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")
_SEED_STRIDE = 1_000_003  # a rank's dropout/augmentation stream: seed + rank x this


@dataclass
class Ranks:
    """This process's place among the run's processes, and the one batch share the comm hook
    reads. `weight` and `counted` change with every `take`."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0
    local_world: int = 1
    weight: float = 1.0  # this rank's share of the current global batch
    counted: bool = True  # False: this rank's slice is a stand-in with weight 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Ranks | None:
        """The ranks torchrun describes (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE); None
        outside torchrun."""
        if not inside_torchrun(environ):
            return None
        values = {name: int(environ.get(name, "0")) for name in _ENVIRONMENT}
        world = values["WORLD_SIZE"]
        return cls(
            values["RANK"],
            world,
            values["LOCAL_RANK"],
            values["LOCAL_WORLD_SIZE"] or world,
        )

    # sharding -----------------------------------------------------------------------------------
    def take(self, index: torch.Tensor) -> torch.Tensor:
        """This rank's slice of a global batch's sample indices (the r-th of `world` near-equal
        contiguous slices; earlier slices take the extra sample); sets `weight` to its share."""
        total = index.shape[0]
        mine = index.tensor_split(self.world)[self.rank]
        if mine.shape[0] == 0:  # fewer samples than ranks: train on one, weighted 0
            self.weight, self.counted = 0.0, False
            return index[:1]
        self.weight, self.counted = mine.shape[0] / total, True
        return mine

    # collectives --------------------------------------------------------------------------------
    def reduce_running(self, running: RunningMetrics) -> None:
        """Sum the ranks' running loss, correct count and sample count into each rank's."""
        device = running.loss_sum.device
        totals = torch.stack(
            [
                running.loss_sum.double(),
                running.correct.double(),
                torch.tensor(float(running.count), dtype=torch.float64, device=device),
            ]
        )
        dist.all_reduce(totals)
        running.loss_sum.copy_(totals[0])
        running.correct.copy_(totals[1].round().long())
        running.count = int(totals[2].round().item())

    def from_main(self, compute: Callable[[], Any]) -> Any:
        """`compute()` run on rank 0, its (picklable) result returned on every rank."""
        box = [compute() if self.is_main else None]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def wrap(self, module: torch.nn.Module, device: torch.device) -> torch.nn.Module:
        """`module` in DistributedDataParallel, its gradients summed by batch share."""
        from torch.nn.parallel import DistributedDataParallel

        ids = [device.index] if device.type == "cuda" else None
        wrapped = DistributedDataParallel(module, device_ids=ids)
        wrapped.register_comm_hook(self, _weighted_sum)
        return wrapped


def _weighted_sum(ranks, bucket):  # no annotations: DDP checks them, and ours are strings
    """DDP comm hook: each rank's gradients times its share of the batch, summed over ranks
    (returns a Future of the reduced bucket)."""
    tensor = bucket.buffer()
    tensor.mul_(ranks.weight)
    future = dist.all_reduce(tensor, async_op=True).get_future()
    return future.then(lambda done: done.value()[0])


# the process group ------------------------------------------------------------------------------
def rank_device(ranks: Ranks, requested: torch.device) -> torch.device:
    """Each rank's device: `cuda:LOCAL_RANK` when training on CUDA, else the CPU."""
    if requested.type == "cuda":
        count = torch.cuda.device_count()
        if ranks.local_rank >= count:
            raise TrainingError(
                f"{ranks.local_world} processes per node train on CUDA, but this machine has "
                f"{count} GPU(s); use at most {count} processes or --device cpu"
            )
        return torch.device("cuda", ranks.local_rank)
    if requested.type != "cpu":
        raise TrainingError(f"training in several processes runs on CPU or CUDA, not {requested}")
    return requested


def start_group(ranks: Ranks, device: torch.device) -> None:
    """Join torchrun's process group: NCCL between GPUs, gloo on the CPU."""
    if dist.is_initialized():
        return
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")


def end_group() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def backend_name() -> str:
    return dist.get_backend() if dist.is_initialized() else "none"


# the step ---------------------------------------------------------------------------------------
class DistributedStep(SupervisedStep):
    """The supervised step with its forward in DDP: the batches per epoch count global batches of
    world x batch size, and the final test evaluation is rank 0's."""

    def __init__(self, ranks: Ranks):
        self.ranks = ranks

    def prepare(self, project, data, config, device, model=None):
        if config.step != "supervised":
            raise TrainingError(
                f"training in several processes supports the supervised step; this project's "
                f"step is {config.step!r} (train it with processes = 1)"
            )
        if config.compile:
            raise TrainingError(
                "the compiled fast path and several processes do not combine yet; switch one off"
            )
        from .run_state import prepare_run

        return prepare_run(project.graph, data, config, device, model, shards=self.ranks.world)

    def configure(self, run, config) -> None:
        super().configure(run, config)
        self.view = self.ranks.wrap(self.view, run.device)
        if self.ranks.rank:  # dropout and augmentation differ between ranks; rank 0 keeps its own
            torch.manual_seed(config.seed + _SEED_STRIDE * self.ranks.rank)

    def final_evaluation(self, trainer: Trainer):
        return super().final_evaluation(trainer) if self.ranks.is_main else None
