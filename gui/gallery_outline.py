"""What the gallery draws of a template: its nodes' places and categories and its wires.

The gallery is the first thing a new user sees, before torch has loaded, and a node's category
lives in the layer registry, which imports torch. So the outlines are worked out once, ahead of
time, into `resources/gallery_outlines.json`, each keyed by its template file's SHA-256: a
template that changed since, or a new one, is outlined from its graph then (slower, never wrong).
`python -m neurocanvas.gui.gallery_outline` rewrites the file; a test checks it is current.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from neurocanvas.engine.templates import TemplateInfo, list_templates


@dataclass(frozen=True)
class Outline:
    nodes: tuple[tuple[float, float, str], ...]  # x, y, category
    edges: tuple[tuple[int, int], ...]  # indices into nodes: source, destination


def outlines_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("neurocanvas.resources").joinpath("gallery_outlines.json")))


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outline_of(info: TemplateInfo) -> Outline:
    """From the registry: imports the engine (and torch)."""
    from neurocanvas.engine import registry
    from neurocanvas.engine.templates import load_template

    graph = load_template(info.name).graph
    ids = list(graph.nodes)
    nodes = tuple(
        (float(node.pos[0]), float(node.pos[1]), registry.get(node.type).category) for node in graph
    )
    edges = tuple((ids.index(e.src[0]), ids.index(e.dst[0])) for e in graph.edges)
    return Outline(nodes, edges)


def _stored() -> dict:
    try:
        return json.loads(outlines_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def outline_for(info: TemplateInfo, stored: dict | None = None) -> Outline:
    """The stored outline when it matches the template file as it is now, else a fresh one."""
    entry = (_stored() if stored is None else stored).get(info.name)
    if entry and entry.get("sha256") == file_digest(info.path):
        return Outline(
            tuple((x, y, category) for x, y, category in entry["nodes"]),
            tuple((a, b) for a, b in entry["edges"]),
        )
    return outline_of(info)


def stored_outlines() -> dict:
    return _stored()


def write_outlines(path: Path | None = None) -> Path:
    path = path or outlines_path()
    data = {}
    for info in list_templates():
        outline = outline_of(info)
        data[info.name] = {
            "sha256": file_digest(info.path),
            "nodes": [list(node) for node in outline.nodes],
            "edges": [list(edge) for edge in outline.edges],
        }
    lines = [f"{json.dumps(name)}: {json.dumps(data[name])}" for name in sorted(data)]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_outlines(Path(sys.argv[1]) if len(sys.argv) > 1 else None)}")
