"""The user's block library: blocks saved as JSON files, shown in the palette's "My blocks".

A block file is `{"format": "neurocanvas-block", "version": 1, "name": ..., "description": ...,
"block": NODE}`, NODE being a Block node as a project file writes it (its body, `expose`,
`repeat`). The folder is `$NEUROCANVAS_BLOCKS_DIR`, else `blocks/` in `$NEUROCANVAS_DATA_DIR`,
else in the user data folder (platformdirs). Files are JSON only (never pickle), written
atomically, and checked on load: a problem is a `BlockFileError` naming the file and the field.
A shared block file is read through the same door as the library's own.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import safe_io
from .atomic import write_atomic
from .blocks import BLOCK_TYPE, exposed_targets
from .graph import Graph, Node
from .registry import ParamError
from .user_data import data_dir

FORMAT_NAME = "neurocanvas-block"
FORMAT_VERSION = 1
SUFFIX = ".block.json"
MAX_NAME = 80
# The layer sizes a saved block shows as its own parameters when it exposes none yet.
WIDTH_PARAMS = ("out_channels", "units", "hidden_size", "filters")


class BlockFileError(ValueError):
    """A block file that cannot be read or written; the message names the file and field."""


@dataclass
class LibraryBlock:
    name: str
    node: Node  # a Block node; its id is the stem new copies are named after
    description: str = ""
    path: Path | None = None

    def params(self) -> dict:
        """A fresh copy of the block's params (body included) for a new node."""
        return self.node.copy().params


def library_dir() -> Path:
    """Where the user's blocks live (created when the first one is saved)."""
    override = os.environ.get("NEUROCANVAS_BLOCKS_DIR")
    if override:
        return Path(override)
    return data_dir() / "blocks"


def node_stem(name: str) -> str:
    """A Python identifier from the block's name ("Inception 3a" -> "inception_3a")."""
    stem = re.sub(r"\W+", "_", name.strip().lower()).strip("_") or "block"
    return f"block_{stem}" if stem[0].isdigit() else stem


def default_expose(body: Graph) -> dict[str, str]:
    """The body's layer widths as block parameters (`conv1_out_channels` -> conv1's filters)."""
    return {
        f"{node.id}_{param}": f"{node.id}.{param}"
        for node in body
        for param in WIDTH_PARAMS
        if param in node.spec.param_index and node.spec.param_index[param].kind == "int"
    }


def from_node(node: Node, name: str, description: str = "") -> LibraryBlock:
    """A library block from a Block node of a graph (copied; checked as a file would be)."""
    if node.type != BLOCK_TYPE:
        raise BlockFileError(f"{node.id} is a {node.type}; only blocks go to the palette")
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise BlockFileError(f"a block's name must be 1 to {MAX_NAME} characters")
    copy = node.copy()
    copy.id, copy.pos = node_stem(name), (0.0, 0.0)
    block = LibraryBlock(name, copy, description)
    _check_block(block.node, f"block {name!r}")
    return block


def describe(block: LibraryBlock) -> str:
    """'3 layers, 1 input; exposes conv1_out_channels' for the palette's tooltip."""
    params = block.node.params
    body = params["graph"]
    layers = sum(1 for node in body if not node.spec.is_source)
    text = f"{layers} layer{'s' if layers != 1 else ''}, {len(body.input_nodes())} input(s)"
    if params["repeat"] > 1:
        text += f", repeated x{params['repeat']}"
    if params["expose"]:
        text += "; exposes " + ", ".join(params["expose"])
    return text


def to_dict(block: LibraryBlock) -> dict:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": block.name,
        "description": block.description,
        "block": block.node.to_dict(),
    }


def write_block(block: LibraryBlock, path: str | os.PathLike) -> Path:
    """Write `block` to `path` atomically (a block file to share, or the library's own)."""
    path = Path(path)
    try:
        text = json.dumps(to_dict(block), indent=2, allow_nan=False) + "\n"
    except ValueError:
        raise BlockFileError(f"{path}: a value in the block is NaN or infinite") from None
    write_atomic(path, text)
    block.path = path
    return path


def read_block(path: str | os.PathLike) -> LibraryBlock:
    """Read and check a block file (a regular JSON file; nothing in it runs)."""
    path = Path(path)
    source = str(path)
    data = safe_io.read_bytes_capped(path, safe_io.MAX_JSON_BYTES, BlockFileError, "block file")
    text = safe_io.decode_utf8(data, source, BlockFileError).removeprefix("\ufeff")
    value = safe_io.parse_json(text, source, BlockFileError)
    block = block_from_dict(value, source)
    block.path = path
    return block


def block_from_dict(data, source: str = "<block>") -> LibraryBlock:
    from .project import ProjectError, graph_from_dict

    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise BlockFileError(f'{source}: not a NeuroCanvas block file ("format": "{FORMAT_NAME}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BlockFileError(f'{source}: "version" must be a positive whole number')
    if version > FORMAT_VERSION:
        raise BlockFileError(
            f"{source}: written by a newer NeuroCanvas (block format {version}; this one reads "
            f"up to {FORMAT_VERSION}); please update NeuroCanvas"
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise BlockFileError(f'{source}: "name" must be a text of 1 to {MAX_NAME} characters')
    description = data.get("description", "")
    if not isinstance(description, str):
        raise BlockFileError(f'{source}: "description" must be a text')
    node_data = data.get("block")
    if not isinstance(node_data, dict):
        raise BlockFileError(f'{source}: "block" must be a node object (a Block)')
    try:
        graph = graph_from_dict({"nodes": [node_data], "edges": []}, f'{source}: "block"')
    except (ProjectError, ParamError) as error:
        raise BlockFileError(str(error)) from None
    (node,) = graph.nodes.values()
    if node.type != BLOCK_TYPE:
        raise BlockFileError(f'{source}: "block" is a {node.type}, not a Block')
    _check_block(node, source)
    return LibraryBlock(name.strip(), node, description)


def _check_block(node: Node, source: str) -> None:
    """The body's wiring and values, and the exposed parameters, as the project would check."""
    from .validate import structural_issues

    body = node.params["graph"]
    try:
        node.spec.coerce_params(node.params)
        exposed_targets(body, node.params["expose"])
    except ParamError as error:
        raise BlockFileError(f"{source}: block {node.id}: {error}") from None
    errors = [issue for issue in structural_issues(body) if issue.is_error]
    if errors:
        where = f"{errors[0].node_id}: " if errors[0].node_id else ""
        raise BlockFileError(f"{source}: block {node.id} > {where}{errors[0].message}")


def file_name(name: str) -> str:
    return node_stem(name) + SUFFIX


def save_to_library(block: LibraryBlock, folder: Path | None = None) -> Path:
    """Write `block` into the library (a block of the same name is replaced)."""
    return write_block(block, (folder or library_dir()) / file_name(block.name))


def list_library(folder: Path | None = None) -> tuple[list[LibraryBlock], list[str]]:
    """The library's blocks by name, and one message per file that could not be read (a bad
    file is named, never hides the others)."""
    folder = folder or library_dir()
    blocks, problems = [], []
    if not folder.is_dir():
        return blocks, problems
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            blocks.append(read_block(path))
        except BlockFileError as error:
            problems.append(str(error))
    return sorted(blocks, key=lambda b: b.name.lower()), problems


def remove_from_library(block: LibraryBlock) -> None:
    if block.path is not None:
        block.path.unlink(missing_ok=True)
