"""Training across processes (distributed.py, launch.py): how a global batch is shared out between
ranks, torchrun's command line, and two real processes training exactly as one process with
twice the batch."""

from __future__ import annotations

import json

import pytest
import torch
from neurocanvas.engine.cli import main
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training.config import ConfigError, TrainConfig
from neurocanvas.engine.training.distributed import DistributedStep, Ranks, rank_device
from neurocanvas.engine.training.launch import torchrun_command, worker_environment
from neurocanvas.engine.training.run_events import TrainingError


def _slices(total: int, world: int) -> list[tuple[list[int], float, bool]]:
    index = torch.arange(100, 100 + total)
    result = []
    for rank in range(world):
        ranks = Ranks(rank=rank, world=world)
        mine = ranks.take(index)
        result.append((mine.tolist(), ranks.weight, ranks.counted))
    return result


@pytest.mark.parametrize(("total", "world"), [(8, 2), (7, 2), (10, 3), (5, 4)])
def test_the_ranks_slices_are_the_global_batch_in_order_weighted_by_size(total, world):
    slices = _slices(total, world)
    assert [i for part, _, _ in slices for i in part] == list(range(100, 100 + total))
    sizes = [len(part) for part, _, _ in slices]
    assert max(sizes) - min(sizes) <= 1
    for part, weight, counted in slices:
        assert counted and weight == pytest.approx(len(part) / total)
    assert sum(weight for _, weight, _ in slices) == pytest.approx(1.0)


def test_a_rank_left_without_samples_trains_a_stand_in_with_weight_zero():
    slices = _slices(2, 3)  # a last batch of 2 samples over 3 ranks
    assert [(part, weight, counted) for part, weight, counted in slices[:2]] == [
        ([100], 0.5, True),
        ([101], 0.5, True),
    ]
    part, weight, counted = slices[2]
    assert len(part) == 1 and weight == 0.0 and not counted


def test_ranks_come_from_torchruns_environment():
    assert Ranks.from_environment({}) is None
    ranks = Ranks.from_environment(
        {"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"}
    )
    assert (ranks.rank, ranks.world, ranks.local_rank, ranks.local_world) == (3, 4, 1, 2)
    assert not ranks.is_main and Ranks().is_main


def test_one_machine_runs_torchrun_standalone_with_the_same_command_line():
    argv = ["train", "xor", "--nproc-per-node", "2", "--json"]
    command = torchrun_command(argv, 2, python="py")
    assert command == [
        "py",
        "-m",
        "torch.distributed.run",
        "--nproc-per-node=2",
        "--standalone",
        "-m",
        "neurocanvas.engine.cli",
        *argv,
    ]


def test_several_machines_pass_their_options_through_to_torchrun():
    command = torchrun_command(["train", "p.json"], 4, 2, 1, "node0:29400", python="py")
    assert command[3:7] == [
        "--nproc-per-node=4",
        "--nnodes=2",
        "--node-rank=1",
        "--rdzv-endpoint=node0:29400",
    ]
    assert "--standalone" not in command
    with pytest.raises(ValueError, match="--rdzv-endpoint HOST:PORT"):
        torchrun_command(["train", "p.json"], 2, 2, 0, None)
    with pytest.raises(ValueError, match="--node-rank must be from 0 to 1"):
        torchrun_command(["train", "p.json"], 2, 2, 2, "node0:1")


def test_the_cores_are_shared_out_between_the_ranks_unless_set():
    cores = len(__import__("os").sched_getaffinity(0))
    assert worker_environment(2, {})["OMP_NUM_THREADS"] == str(max(1, cores // 2))
    assert worker_environment(2, {"OMP_NUM_THREADS": "7"})["OMP_NUM_THREADS"] == "7"


def test_processes_is_a_checked_training_setting():
    assert TrainConfig().processes == 1
    assert TrainConfig.from_dict({"processes": 2}).processes == 2
    with pytest.raises(ConfigError, match="processes"):
        TrainConfig.from_dict({"processes": 0})


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"step": "gan"}, "supports the supervised step"), ({"compile": True}, "do not combine")],
)
def test_steps_that_cannot_be_shared_out_are_refused_by_name(settings, message):
    step = DistributedStep(Ranks(rank=0, world=2))
    with pytest.raises(TrainingError, match=message):
        step.prepare(None, None, TrainConfig.from_dict(settings), torch.device("cpu"))


def test_a_rank_trains_on_cuda_only_with_a_gpu_of_its_own():
    ranks = Ranks(rank=1, world=2, local_rank=torch.cuda.device_count(), local_world=2)
    with pytest.raises(TrainingError, match="GPU"):
        rank_device(ranks, torch.device("cuda"))
    assert rank_device(ranks, torch.device("cpu")) == torch.device("cpu")


def test_bad_multi_machine_options_are_usage_errors(capsys):
    assert main(["train", "xor", "--nnodes", "2", "--epochs", "1"]) == 2
    assert "--rdzv-endpoint" in capsys.readouterr().err


# xor's 50 points, 70% to training: 35 samples, so batches of 2 x 4 leave a last batch of 3,
# which the two ranks share 2:1 (plain DDP averaging would weight them 1:1 and differ).
_RUN = ["--data", "xor:n=50", "--optimizer", "sgd", "--lr", "0.5", "--epochs", "2", "--json"]


def _state(path):
    return torch.load(path, weights_only=True)["state_dict"]


@pytest.mark.slow
def test_two_processes_train_as_one_process_with_twice_the_batch(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)  # a rank other than 0 writing a run folder would leave runs/ here
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["train", "xor", *_RUN, "--batch-size", "8", "--out", str(one)]) == 0
    single = [json.loads(line) for line in capfd.readouterr().out.splitlines()]
    argv = ["train", "xor", *_RUN, "--batch-size", "4", "--nproc-per-node", "2", "--out", str(two)]
    assert main(argv) == 0
    captured = capfd.readouterr()
    double = [json.loads(line) for line in captured.out.splitlines() if line.startswith("{")]
    assert "training in 2 processes (gloo" in captured.err
    # Rank 0 alone printed: one line per epoch and one final object.
    assert [line.get("epoch") for line in double[:-1]] == [1, 2] and double[-1]["final"]
    for a, b in zip(single[:-1], double[:-1], strict=True):  # reduced over ranks: every sample
        assert b["loss"] == pytest.approx(a["loss"], rel=1e-5)
        assert b["accuracy"] == a["accuracy"] and b["val_loss"] == pytest.approx(a["val_loss"])
    # Rank 0 alone wrote, and the weights are the single process's within float error.
    assert not (tmp_path / "runs").exists()
    assert {p.name for p in two.iterdir()} == {p.name for p in one.iterdir()}
    first, second = _state(one / "last.pt"), _state(two / "last.pt")
    initial = compile_graph(load_template("xor").graph, seed=0).state_dict()
    assert first.keys() == second.keys() == initial.keys()
    for name in first:
        assert not torch.allclose(first[name], initial[name])  # it trained
        torch.testing.assert_close(second[name], first[name], rtol=1e-5, atol=1e-6)
