"""Training engine: the trainer, its events and callbacks, evaluation, prediction and checkpoints.

No Qt here: the window runs `Trainer.run()` in its training process and gets the events as plain
data.
"""

from ..lazy import make_lazy

# name -> the module that defines it, imported on first use (engine/lazy.py)
_EXPORTS = {
    "Callback": ".callbacks",
    "CsvLogger": ".callbacks",
    "EarlyStopping": ".callbacks",
    "JsonlLogger": ".callbacks",
    "TensorBoardLogger": ".tensorboard_log",
    "CheckpointError": ".checkpoint",
    "load_checkpoint": ".checkpoint",
    "read_checkpoint": ".checkpoint",
    "write_checkpoint": ".checkpoint",
    "ConfigError": ".config",
    "OptimizerConfig": ".config",
    "TrainConfig": ".config",
    "device_name": ".devices",
    "resolve_device": ".devices",
    "Prediction": ".evaluation",
    "evaluate": ".evaluation",
    "predict": ".evaluation",
    "BatchEnded": ".events",
    "EpochEnded": ".events",
    "Event": ".events",
    "RunFailed": ".events",
    "RunFinished": ".events",
    "RunStarted": ".events",
    "Objective": ".losses",
    "resolve_objective": ".losses",
    "strip_head": ".losses",
    "EvalResult": ".metrics",
    "RunFolder": ".run_folder",
    "RunState": ".run_state",
    "prepare_run": ".run_state",
    "SupervisedStep": ".steps",
    "TrainStep": ".steps",
    "Trainer": ".trainer",
    "TrainingError": ".trainer",
}
make_lazy(__name__, _EXPORTS)
