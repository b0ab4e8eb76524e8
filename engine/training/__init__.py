"""Training engine: the trainer, its events and callbacks, evaluation, prediction and checkpoints.

No Qt here: the window runs `Trainer.run()` in its training process and gets the events as plain
data.
"""

from .callbacks import Callback, CsvLogger, EarlyStopping, JsonlLogger, TensorBoardLogger
from .checkpoint import CheckpointError, load_checkpoint, read_checkpoint, write_checkpoint
from .config import ConfigError, OptimizerConfig, TrainConfig
from .devices import device_name, resolve_device
from .evaluation import Prediction, evaluate, predict
from .events import BatchEnded, EpochEnded, Event, RunFailed, RunFinished, RunStarted
from .losses import Objective, resolve_objective, strip_head
from .metrics import EvalResult
from .run_folder import RunFolder
from .run_state import RunState, prepare_run
from .steps import SupervisedStep, TrainStep
from .trainer import Trainer, TrainingError

__all__ = [
    "BatchEnded",
    "Callback",
    "CheckpointError",
    "ConfigError",
    "CsvLogger",
    "EarlyStopping",
    "EpochEnded",
    "EvalResult",
    "Event",
    "JsonlLogger",
    "Objective",
    "OptimizerConfig",
    "Prediction",
    "RunFailed",
    "RunFinished",
    "RunFolder",
    "RunStarted",
    "RunState",
    "SupervisedStep",
    "TensorBoardLogger",
    "TrainConfig",
    "TrainStep",
    "Trainer",
    "TrainingError",
    "device_name",
    "evaluate",
    "load_checkpoint",
    "predict",
    "prepare_run",
    "read_checkpoint",
    "resolve_device",
    "resolve_objective",
    "strip_head",
    "write_checkpoint",
]
