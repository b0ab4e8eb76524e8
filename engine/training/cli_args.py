"""The arguments of `neurocanvas train` and `evaluate`; cli_commands.py does the work.

Kept apart and free of torch so `neurocanvas --help` answers at once: the handler is named by
module and function and imported only when the command runs.
"""

from __future__ import annotations

_HANDLERS = "neurocanvas.engine.training.cli_commands"
_DOWNLOAD_HELP = (
    "fetch MNIST / Fashion-MNIST / CIFAR-10 into the user cache if not on disk "
    "(a project file alone never starts a download)"
)


def _add_process_options(train) -> None:
    train.add_argument(
        "--nproc-per-node",
        type=int,
        metavar="N",
        help="train in N processes on this machine (torchrun, DistributedDataParallel: gloo on "
        "the CPU, NCCL with one GPU each); the batch size is per process, so each update sees "
        "N x batch size samples; only rank 0 writes the run folder and prints "
        "(default: the project's 'processes' setting, 1)",
    )
    train.add_argument(
        "--nnodes", type=int, default=1, metavar="M", help="machines training together (torchrun)"
    )
    train.add_argument(
        "--node-rank",
        type=int,
        default=0,
        metavar="R",
        help="this machine's number, 0 to M-1 (several machines: run the same command on each)",
    )
    train.add_argument(
        "--rdzv-endpoint",
        metavar="HOST:PORT",
        help="several machines: the address of the one with --node-rank 0 and a free port on it",
    )


def register_commands(subparsers) -> None:
    train = subparsers.add_parser("train", help="train a project or template on its data")
    train.add_argument("project", help="project file (.json) or template name")
    train.add_argument(
        "--data",
        metavar="SPEC",
        help="data: a path (CSV/TSV, .ts, npz, image or IDX folder) or a data set name "
        "(xor, mnist, ...), settings after a colon: airline.csv:layout=series,window=12,horizon=1; "
        "GunPoint_TRAIN.tsv:layout=ucr; rows.csv:layout=wide,ignore=id,target=label; "
        "steps.csv:layout=long,id=series,time=t; reviews.csv:layout=text,text=review,target=label "
        "(lists with ;); default: the project's data",
    )
    train.add_argument(
        "--test-data",
        metavar="PATH",
        help="a separate file or folder that is the test split as it is (UCR's _TEST file); "
        "validation then comes from the training data",
    )
    train.add_argument(
        "--step",
        metavar="NAME",
        help="the training step, instead of the project's: supervised, gan or rbm (after an "
        "rbm run, --step supervised --init-from RUN/best.pt trains the layers on its features)",
    )
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr", type=float, help="learning rate")
    train.add_argument(
        "--optimizer", metavar="NAME", help="adam, sgd, adamw, ... (a wrong name lists them all)"
    )
    train.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu or cuda")
    train.add_argument("--seed", type=int)
    train.add_argument(
        "--seeds",
        type=int,
        metavar="N",
        help="repeat with N seeds (seed, seed+1, ...): the test metrics' mean +- std",
    )
    train.add_argument(
        "--compile",
        action="store_true",
        help="the compiled fast path (torch.compile): for long runs; the first compile of a "
        "network takes tens of seconds, later runs reuse it",
    )
    train.add_argument(
        "--init-from",
        metavar="CKPT",
        help="start from a checkpoint's weights, matched by node name (best.pt of another run); "
        "lists what matched, and refuses a node whose weights have another shape",
    )
    _add_process_options(train)
    train.add_argument("--out", metavar="DIR", help="run folder (default runs/<project>-<time>)")
    train.add_argument(
        "--tensorboard",
        action="store_true",
        help="also write TensorBoard logs into the run folder's tensorboard/ (scalars, weight and "
        "gradient histograms, graph, sample images, projector); view with "
        "`tensorboard --logdir RUN/tensorboard`",
    )
    train.add_argument("--json", action="store_true", help="one JSON object per epoch")
    train.add_argument("--download", action="store_true", help=_DOWNLOAD_HELP)
    train.set_defaults(handler=f"{_HANDLERS}:run_train")

    ev = subparsers.add_parser("evaluate", help="evaluate trained weights on a project's data")
    ev.add_argument("project", help="project file (.json) or template name (for its data)")
    ev.add_argument("--weights", required=True, metavar="CKPT", help="best.pt or last.pt")
    ev.add_argument("--data", metavar="SPEC", help="data to evaluate on (default: the project's)")
    ev.add_argument(
        "--test-data",
        metavar="PATH",
        help="a separate test file (UCR's _TEST file): every row of it is scored, read with the "
        "project's data settings and the checkpoint's preprocessing (tokenizer, scaling)",
    )
    ev.add_argument(
        "--split",
        choices=("test", "all"),
        help="rows to score: the test split, or all rows (default: all when --data names "
        "other data than the project's, else test)",
    )
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--download", action="store_true", help=_DOWNLOAD_HELP)
    ev.set_defaults(handler=f"{_HANDLERS}:run_evaluate")
