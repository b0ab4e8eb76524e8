"""`RunFolder`: a run's folder, its name and the names of the files in it.

runs/<project-slug>-<YYYYmmdd-HHMMSS>/
    config.json       the project, the training settings, the data's facts, the device
    metrics.jsonl     one JSON object per epoch (JsonlLogger)
    metrics.csv       one row per epoch (CsvLogger)
    best.pt, last.pt  checkpoints (run_checkpoints.py)
    result.json       how the run ended (RunFinished or RunFailed), for the runs list
    tensorboard/      with the "tensorboard" setting, when it is installed
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import project as project_io
from .callbacks import Callback, CsvLogger, JsonlLogger, json_safe

RESULT_FILE = "result.json"
CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class RunFolder:
    path: Path

    @classmethod
    def new(cls, project_name: str, root: str | Path = "runs") -> RunFolder:
        """A fresh folder name under `root`, from the project's name and the time."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", project_name).strip("-").lower() or "run"
        return cls(Path(root) / f"{slug}-{stamp}")

    def checkpoint(self, which: str = "best") -> Path:
        """best.pt or last.pt."""
        return self.path / f"{which}.pt"

    @property
    def result_file(self) -> Path:
        return self.path / RESULT_FILE

    def create(self, config: dict[str, Any]) -> None:
        """Make the folder and write config.json (`config`: what the run was started with)."""
        self.path.mkdir(parents=True, exist_ok=True)
        text = json.dumps(config, indent=2) + "\n"
        project_io.write_atomic(self.path / CONFIG_FILE, text)

    def loggers(self, tensorboard: bool) -> list[Callback]:
        """The callbacks that write this folder's metric logs."""
        loggers: list[Callback] = [
            JsonlLogger(self.path / "metrics.jsonl"),
            CsvLogger(self.path / "metrics.csv"),
        ]
        from .tensorboard_log import TensorBoardLogger  # torch: not for the runs list's readers

        if tensorboard and TensorBoardLogger.available():
            loggers.append(TensorBoardLogger(self.path / "tensorboard"))
        return loggers

    def write_result(self, event) -> None:
        """result.json from a RunFinished or RunFailed event (nothing when the folder is gone)."""
        if not self.path.is_dir():
            return
        payload = json.dumps(json_safe(event.to_dict()), indent=2) + "\n"
        project_io.write_atomic(self.result_file, payload)
