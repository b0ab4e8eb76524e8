"""The user's data folder: settings, recovery files, runs without a project, the block library.

`$NEUROCANVAS_DATA_DIR` moves it (tests and portable installs); else platformdirs' user data
folder for "neurocanvas".
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("NEUROCANVAS_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("neurocanvas", appauthor=False))
