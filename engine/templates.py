"""Template projects shipped in `resources/examples/` (the gallery and `neurocanvas summary NAME`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the project module imports torch (its registry); listing templates must not
    from . import project as project_io


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # file stem, e.g. "seed-cnn"
    title: str
    description: str
    path: Path


def examples_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("neurocanvas.resources").joinpath("examples")))


def list_templates() -> list[TemplateInfo]:
    result = []
    for path in sorted(examples_dir().glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        result.append(
            TemplateInfo(path.stem, data.get("name", path.stem), data.get("description", ""), path)
        )
    return result


def template_path(name: str) -> Path | None:
    path = examples_dir() / f"{name}.json"
    return path if path.is_file() else None


def load_template(name: str) -> project_io.Project:
    from . import project as project_io

    path = template_path(name)
    if path is None:
        names = ", ".join(t.name for t in list_templates())
        raise project_io.ProjectError(f"no template named {name!r}; templates: {names}")
    return project_io.load(path)


def load_project_or_template(name_or_path: str) -> project_io.Project:
    """A path to a project file, or the name of a template."""
    from . import project as project_io

    path = Path(name_or_path)
    if path.suffix == ".json" or path.exists():
        return project_io.load(path)
    return load_template(name_or_path)
