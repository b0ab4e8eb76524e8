"""The Document: owns the project (its graphs and settings), its undo stack and the latest analysis.

It is the only writer of the project: views call its edit methods, which push undoable commands
(`commands.py`, one family for graph and settings edits), and redraw from what changed: the graph's
fine-grained change events, `analysis_changed`, and `settings_changed(section)`.

Graphs are addressed by path (`graph_paths.py`): a network's name (a canvas tab), then the
blocks opened inside it. Edits go to the active graph (`graph`, `active_path`: the tab shown, or
the body of the block opened there; `document_graphs.py`), and their commands keep the path.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from neurocanvas.engine import project as project_io
from neurocanvas.engine import registry
from neurocanvas.engine.graph import Edge, Graph, GraphError, copy_params, default_prefix
from neurocanvas.engine.layout import ROW_HEIGHT, free_offset, layered_positions
from neurocanvas.engine.project import Project
from neurocanvas.engine.shapes import AutoSizes
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from shiboken6 import Shiboken

from .commands import GraphEdit, SettingsEdit
from .document_blocks import BlockEdits
from .document_graphs import GraphNavigation
from .graph_paths import as_path, resolve

CLIPBOARD_MIME = "application/x-neurocanvas-graph"
PASTE_OFFSET = 40.0
DEFAULT_NAME = Project().name  # "Untitled": renamed after the file when first saved


def _drop_commands(stack: QUndoStack) -> None:
    """Delete a closing document's edits while its stack's Python half still stands.

    Whoever destroys the document (reference count or the garbage collector tearing down a cycle
    that holds it), this runs first. Otherwise the collector may free the stack's Python half
    before Qt deletes the stack: that frees the commands, and Qt's delete of them again is a
    segfault. Quietly: the document that would hear `cleanChanged` is going."""
    if not Shiboken.isValid(stack):  # Qt deleted the document first: its stack went with it
        return
    stack.blockSignals(True)
    stack.clear()


class Document(BlockEdits, GraphNavigation, QObject):
    analysis_changed = Signal()  # an analysis changed (the active graph's, or another network's)
    active_changed = Signal()  # another graph is shown: a tab, a block opened or left
    graphs_changed = Signal()  # a network was added, removed or renamed
    modified_changed = Signal(bool)
    path_changed = Signal()
    settings_changed = Signal(str)  # a settings section ("data", "training") changed: edit or undo
    status_message = Signal(str)  # short feedback for the status bar (e.g. a refused wire)

    @property
    def main_graph(self) -> str:
        """The graph that edits without a graph name go to: the project's main one ("main",
        a GAN's generator)."""
        return self.project.main_graph

    def __init__(self, project: Project | None = None, path: Path | None = None, parent=None):
        super().__init__(parent)
        self.project = project or Project()
        self.path = path
        self.undo_stack = QUndoStack(self)
        weakref.finalize(self, _drop_commands, self.undo_stack)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.auto = AutoSizes()
        self._init_navigation()  # the active graph (the main one) and every network's analysis

    def _on_clean_changed(self, clean: bool) -> None:
        # A bound slot (not a lambda) so Qt drops the connection when the document is deleted.
        self.modified_changed.emit(not clean)

    # ---- state --------------------------------------------------------------------------------
    @property
    def graphs(self) -> Mapping[str, Graph]:
        """The project's networks by name, in tab order; the edit commands find theirs here."""
        return self.project.graphs

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        return self.path.name if self.path else self.project.name

    def set_auto_sizes(self, auto: AutoSizes) -> None:
        """Sizes from the attached data resolve `auto` Input shapes and output units."""
        self.auto = auto
        self.refresh_analysis()

    # ---- settings ---------------------------------------------------------------------------
    def settings(self, section: str) -> dict[str, Any]:
        """The project's settings `section` ("data" or "training"), {} when it has none."""
        return getattr(self.project, section) or {}

    def set_settings(self, section: str, value: dict[str, Any], text: str | None = None) -> bool:
        """Replace a settings section as one undoable edit named `text` ("Set batch size");
        consecutive edits with the same name merge. Returns whether anything changed."""
        if self.settings(section) == value:
            return False
        self.undo_stack.push(
            SettingsEdit(self, section, value, text or f"Change {section} settings")
        )
        return True

    def replace_settings(self, section: str, value: dict[str, Any]) -> None:
        """Called by settings commands (do, undo, redo): the one place a section is written."""
        setattr(self.project, section, value)
        self.settings_changed.emit(section)

    # ---- edits (each one undoable) -----------------------------------------------------------
    def _push(self, text: str, apply, merge_key=None, reanalyze=True, graph=None) -> bool:
        """Push an undoable edit of the graph at `graph` (a name or a path; the active graph by
        default), after a dry run on a copy: an edit that would fail is refused with a status
        message instead of leaving a half-applied command on the stack."""
        path = as_path(graph) if graph else self.active_path
        try:
            apply(resolve(self.graphs, path).copy())
        except (GraphError, KeyError, ValueError) as error:
            self.status_message.emit(f"{text}: {error}")
            return False
        self.undo_stack.push(GraphEdit(self, text, apply, merge_key, reanalyze, path))
        return True

    def add_node(
        self,
        layer_type: str,
        pos: tuple[float, float],
        params: dict | None = None,
        connect_from: str | None = None,
        stem: str | None = None,
    ) -> str:
        """Add a layer (optionally wired after `connect_from`); returns the new node's id.
        `params` may hold a block's body (copied for each run: the graph never shares it);
        `stem` names the node (`inception_1`) instead of the layer type."""
        node_id = self.graph.unique_id(stem or default_prefix(layer_type))

        def apply(graph: Graph) -> None:
            graph.add_node(layer_type, _fresh(params), pos, node_id=node_id)
            if connect_from and graph.connection_problem((connect_from, 0), (node_id, 0)) is None:
                graph.connect((connect_from, 0), (node_id, 0))

        self._push(f"Add {layer_type}", apply)
        return node_id

    def add_after(
        self,
        layer_type: str,
        selected_id: str | None,
        params: dict | None = None,
        stem: str | None = None,
    ) -> str:
        """Palette double-click/Enter: insert below the selected node, wired between it and the
        layers it fed (which move down a row); with nothing selected, append at the bottom."""
        if selected_id not in self.graph.nodes:
            bottom = max((node.pos[1] for node in self.graph), default=-ROW_HEIGHT)
            return self.add_node(layer_type, (0.0, bottom + ROW_HEIGHT), params, stem=stem)
        node_id = self.graph.unique_id(stem or default_prefix(layer_type))
        x, y = self.graph.nodes[selected_id].pos

        def apply(graph: Graph) -> None:
            below = graph.descendants(selected_id)
            outgoing = graph.outputs_of(selected_id)
            graph.add_node(layer_type, _fresh(params), (x, y + ROW_HEIGHT), node_id=node_id)
            for edge in outgoing:
                graph.remove_edge(edge)
            graph.connect((selected_id, 0), (node_id, 0))
            for edge in outgoing:
                graph.add_edge(Edge((node_id, 0), edge.dst))
            for other in below:
                ox, oy = graph.nodes[other].pos
                graph.move_node(other, (ox, oy + ROW_HEIGHT))

        self._push(f"Add {layer_type}", apply)
        return node_id

    def insert_on_wire(
        self,
        layer_type: str,
        edge: Edge,
        pos: tuple[float, float],
        params: dict | None = None,
        stem: str | None = None,
    ) -> str:
        """A layer dropped on a wire: wired into it (src -> new -> dst) a row below the source,
        the layers below moving down a row; one undo step. A layer without inputs (an Input) is
        only added, at `pos`."""
        if edge not in self.graph.edges or registry.get(layer_type).is_source:
            return self.add_node(layer_type, pos, params, stem=stem)
        node_id = self.graph.unique_id(stem or default_prefix(layer_type))

        x, y = self.graph.nodes[edge.src[0]].pos

        def apply(graph: Graph) -> None:
            # Below the wire's source, and what the wire fed moves down a row to make room
            # (dropped where the cursor was, the card covered its neighbours).
            below = {edge.dst[0], *graph.descendants(edge.dst[0])} - {edge.src[0]}
            graph.add_node(layer_type, _fresh(params), (x, y + ROW_HEIGHT), node_id=node_id)
            graph.remove_edge(edge)
            graph.connect(edge.src, (node_id, 0))
            graph.add_edge(Edge((node_id, 0), edge.dst))
            for other in below:
                ox, oy = graph.nodes[other].pos
                graph.move_node(other, (ox, oy + ROW_HEIGHT))

        self._push(f"Insert {layer_type} between {edge.src[0]} and {edge.dst[0]}", apply)
        return node_id

    def remove_nodes(self, node_ids: list[str]) -> None:
        present = [node_id for node_id in node_ids if node_id in self.graph.nodes]
        if not present:
            return
        text = f"Delete {present[0]}" if len(present) == 1 else f"Delete {len(present)} layers"
        self._push(text, lambda graph: [graph.remove_node(node_id) for node_id in present])

    def connect(self, src: tuple[str, int], dst: tuple[str, int]) -> str | None:
        """Wire two ports; returns None, or the reason it was refused (also sent as a status message)."""
        problem = self.graph.connection_problem(src, dst)
        if problem:
            self.status_message.emit(f"Cannot connect: {problem}")
            return problem
        self._push(f"Connect {src[0]} to {dst[0]}", lambda graph: graph.connect(src, dst))
        return None

    def rewire(self, edge: Edge, dst: tuple[str, int]) -> str | None:
        """Move the wire `edge` to another input `dst` (one undo step); None, or why not."""
        problem = self.graph.connection_problem(edge.src, dst)
        if problem:
            self.status_message.emit(f"Cannot connect: {problem}")
            return problem

        def apply(graph: Graph) -> None:
            graph.remove_edge(edge)
            graph.connect(edge.src, dst)

        self._push(f"Reconnect {edge.src[0]} to {dst[0]}", apply)
        return None

    def disconnect(self, edge: Edge) -> None:
        if edge in self.graph.edges:
            self._push(
                f"Disconnect {edge.src[0]} from {edge.dst[0]}",
                lambda graph: graph.remove_edge(edge),
            )

    def move_nodes(self, positions: dict[str, tuple[float, float]]) -> None:
        moved = {
            node_id: pos
            for node_id, pos in positions.items()
            if node_id in self.graph.nodes and tuple(self.graph.nodes[node_id].pos) != tuple(pos)
        }
        if not moved:
            return
        text = f"Move {next(iter(moved))}" if len(moved) == 1 else f"Move {len(moved)} layers"
        self._push(
            text, lambda graph: [graph.move_node(n, p) for n, p in moved.items()], reanalyze=False
        )

    def set_param(self, node_id: str, name: str, value: Any, graph=None) -> None:
        """Set a layer's parameter in the active graph (or the one `graph` names)."""
        path = as_path(graph) if graph else self.active_path
        node = resolve(self.graphs, path).node(node_id)
        if node.params.get(name) == value:
            return
        self._push(
            f"Set {name}",
            lambda target: target.set_param(node_id, name, value),
            merge_key=("set_param", path, node_id, name),
            graph=path,
        )

    def rename_node(self, old_id: str, new_id: str) -> str | None:
        """Rename; returns the reason when the name is refused."""
        if old_id == new_id:
            return None
        probe = self.graph.copy()
        try:
            probe.rename_node(old_id, new_id)
        except GraphError as error:
            self.status_message.emit(str(error))
            return str(error)
        self._push(f"Rename {old_id} to {new_id}", lambda graph: graph.rename_node(old_id, new_id))
        return None

    def auto_layout(self) -> None:
        positions = layered_positions(self.graph)
        self._push(
            "Auto layout",
            lambda graph: [graph.move_node(n, p) for n, p in positions.items()],
            reanalyze=False,
        )

    # ---- clipboard ----------------------------------------------------------------------------
    def copy_json(self, node_ids: list[str]) -> str:
        """The selected nodes and the wires between them, as JSON for the clipboard."""
        chosen = set(node_ids)
        nodes = [self.graph.nodes[n].to_dict() for n in node_ids if n in self.graph.nodes]
        edges = [e.to_dict() for e in self.graph.edges if e.src[0] in chosen and e.dst[0] in chosen]
        return json.dumps({"format": "neurocanvas-clipboard", "nodes": nodes, "edges": edges})

    def paste_json(
        self, text: str, offset: float | tuple[float, float] = PASTE_OFFSET
    ) -> list[str]:
        """Paste nodes from `copy_json` text with fresh ids, shifted by `offset` (both axes, or
        (dx, dy)); returns new ids."""
        dx, dy = offset if isinstance(offset, tuple) else (offset, offset)
        try:
            data = json.loads(text)
            if data.get("format") != "neurocanvas-clipboard":
                return []
            fragment = project_io.graph_from_dict(
                {"nodes": data["nodes"], "edges": data["edges"]}, "clipboard"
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return []
        mapping = self._fresh_ids(fragment)
        if offset == PASTE_OFFSET:  # pasted again and again: each copy steps clear of the last
            dx, dy = self._free_paste_offset(fragment, dx)

        def apply(graph: Graph) -> None:
            for node in fragment:
                graph.add_node(
                    node.type,
                    node.params,
                    (node.pos[0] + dx, node.pos[1] + dy),
                    node_id=mapping[node.id],
                )
            for edge in fragment.edges:
                graph.add_edge(Edge((mapping[edge.src[0]], 0), (mapping[edge.dst[0]], edge.dst[1])))

        if mapping:
            self._push(f"Paste {len(mapping)} layer{'s' if len(mapping) > 1 else ''}", apply)
        return list(mapping.values())

    def _free_paste_offset(self, fragment: Graph, step: float) -> tuple[float, float]:
        """The first diagonal offset (step, 2 step...) where no copy sits on a card already there."""
        taken = [node.pos for node in self.graph]
        offset = step
        for _ in range(50):
            if not any(
                abs(node.pos[0] + offset - x) < step / 2
                and abs(node.pos[1] + offset - y) < step / 2
                for node in fragment
                for x, y in taken
            ):
                break
            offset += step
        return offset, offset

    def _fresh_ids(self, fragment: Graph) -> dict[str, str]:
        taken = set(self.graph.nodes)
        mapping = {}
        for node in fragment:
            stem = default_prefix(node.type)
            index = 1
            while f"{stem}_{index}" in taken:
                index += 1
            mapping[node.id] = f"{stem}_{index}"
            taken.add(mapping[node.id])
        return mapping

    def duplicate(self, node_ids: list[str]) -> list[str]:
        """Copies of the nodes (and the wires between them) right of the selection, in free space."""
        nodes = [self.graph.nodes[n] for n in node_ids if n in self.graph.nodes]
        if not nodes:
            return []
        dx = free_offset(self.graph, nodes)
        return self.paste_json(self.copy_json(node_ids), offset=(dx, 0.0))

    # ---- files --------------------------------------------------------------------------------
    def save(self, path: Path | None = None) -> None:
        """Save to `path` (or the current path). An "Untitled" project saved for the first time is
        named after the file (mycnn.json: "mycnn"), so its runs and exports are too."""
        target = Path(path or self.path)
        old_name = self.project.name
        if self.path is None and old_name == DEFAULT_NAME and target.stem:
            self.project.name = target.stem
        try:
            project_io.save(self.project, target)
        except BaseException:
            self.project.name = old_name
            raise
        if target != self.path:
            self.path = target
            self.path_changed.emit()
        self.undo_stack.setClean()

    @classmethod
    def open(cls, path: Path, parent=None) -> Document:
        """Raises ProjectError (with file, line and column) when the file is broken."""
        return cls(project_io.load(path), Path(path), parent)


def _fresh(params: dict | None) -> dict | None:
    """A copy of an added node's params, bodies included, so no two graphs share a body."""
    return copy_params(params) if params else params
