"""Run folders follow their project: `adopt_runs` moves the runs an unsaved project made (in the
user data folder, named `untitled-<time>`) beside the project file once it is first saved, named
after it (`runs/churn-<time>`), so the Runs tab, Try it and Export find them there, after a
restart too. No Qt: plain paths in, plain paths out.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def adopted_name(folder: Path, old_slug: str, new_slug: str) -> str:
    """`untitled-20260101-120000-000` -> `churn-20260101-120000-000` (the time stamp stays)."""
    name = folder.name
    return new_slug + name[len(old_slug) :] if name.startswith(old_slug + "-") else name


def adopt_runs(
    folders: list[Path], old_slug: str, new_base: Path, new_slug: str
) -> dict[Path, Path]:
    """Move each run folder to `new_base`, renamed for the new slug; {old: new} of those moved.
    A folder already gone, or a name already taken there, is left where it is."""
    moved: dict[Path, Path] = {}
    for folder in folders:
        target = new_base / adopted_name(folder, old_slug, new_slug)
        if not folder.is_dir() or target.exists() or folder.resolve() == target.resolve():
            continue
        new_base.mkdir(parents=True, exist_ok=True)
        try:
            shutil.move(str(folder), str(target))
        except OSError:
            continue  # a locked file (Windows) or a full disk: the run stays where it was
        moved[folder] = target
    return moved
