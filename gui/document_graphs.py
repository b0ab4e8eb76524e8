"""The Document's navigation between graphs, their analyses, and the edits of its networks.

`GraphNavigation` is mixed into `Document`. It keeps the active path (`graph_paths.py`): the
graph the canvas, the inspector and the palette work on, and the one edits go to unless they
name another. Each network has its own analysis (`analyses[name]`); the body of an opened block
is analysed with the shapes that reach the block (so its cards show real shapes). Undo and redo
`reveal` the graph they change, so the window shows the tab (and the body) being undone.

`NetworkEdit` adds, renames or removes a network: one step on the project's one undo stack. It
keeps names and, for a removed network, the network as file data, never a Graph object.
"""

from __future__ import annotations

import contextlib
import keyword
from typing import TYPE_CHECKING

from neurocanvas.engine import project as project_io
from neurocanvas.engine.analysis import Analysis, Analyzer
from neurocanvas.engine.blocks import BLOCK_TYPE, bind
from neurocanvas.engine.graph import Graph
from neurocanvas.engine.project import main_graph_name
from neurocanvas.engine.registry import InputShapeError

from .commands import DocumentEdit
from .graph_paths import GraphPath, as_path, body_input_shapes, resolve, valid_prefix

if TYPE_CHECKING:
    from .document import Document

GAN_NAMES = ("generator", "discriminator")  # the names the gan training step looks for


class GraphNavigation:
    """Mixed into `Document` (which declares the signals `active_changed`, `graphs_changed`,
    `analysis_changed` and `status_message`)."""

    def _init_navigation(self) -> None:
        self.analyzers: dict[str, Analyzer] = {}  # one per network: its shape cache
        self.analyses: dict[str, Analysis] = {}
        self._body_analyzers: dict[GraphPath, Analyzer] = {}
        self._body_analysis: Analysis | None = None
        self.active_path: GraphPath = (self.main_graph,)
        self._shown = self.graph  # the object at the active path (replaced by an outer undo?)
        for name in self.graphs:
            self._analyze(name)

    # ---- where the window is ----------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        """The active graph: a network (the canvas tab shown) or an opened block's body."""
        return resolve(self.graphs, self.active_path)

    @property
    def network(self) -> str:
        """The name of the active network (the tab), also while a block inside it is open."""
        return self.active_path[0]

    @property
    def network_graph(self) -> Graph:
        """The active network (the tab's graph), also while a block inside it is open."""
        return self.graphs[self.network]

    @property
    def analysis(self) -> Analysis:
        """The active graph's analysis (a body's, with the shapes reaching its block)."""
        if len(self.active_path) > 1 and self._body_analysis is not None:
            return self._body_analysis
        return self.analyses[self.network]

    @property
    def network_analysis(self) -> Analysis:
        return self.analyses[self.network]

    def all_errors(self) -> list:
        """The errors of every network (a GAN trains both): what must be fixed before a run."""
        return [issue for analysis in self.analyses.values() for issue in analysis.errors]

    def open_path(self, path) -> bool:
        """Show the graph at `path` (a network's name or a path into its blocks); KeyError when
        it is not there. Returns whether anything changed."""
        path = as_path(path)
        graph = resolve(self.graphs, path)
        if path == self.active_path and graph is self._shown:
            return False
        self.active_path, self._shown = path, graph
        self._analyze_body()
        self.active_changed.emit()
        return True

    def open_block(self, block_id: str) -> bool:
        """Open the block `block_id` of the active graph to edit inside it."""
        node = self.graph.nodes.get(block_id)
        if node is None or node.type != BLOCK_TYPE:
            self.status_message.emit(f"{block_id} is not a block: only a block opens")
            return False
        return self.open_path(self.active_path + (block_id,))

    def go_up(self) -> bool:
        """Back out of the opened block to the graph around it."""
        return len(self.active_path) > 1 and self.open_path(self.active_path[:-1])

    def reveal(self, path: GraphPath) -> None:
        """Undo and redo show the graph they change before changing it."""
        if tuple(path) != self.active_path and valid_prefix(self.graphs, path) == tuple(path):
            self.open_path(path)

    # ---- analyses -----------------------------------------------------------------------------
    def edited(self, reanalyze: bool = True, path: GraphPath | None = None) -> None:
        """Called by commands after they change the graph at `path` (the active one by default):
        the blocks around it announce their changed card, and the analyses follow."""
        path = tuple(path or self.active_path)
        for depth in range(len(path) - 1, 0, -1):  # innermost first
            try:
                resolve(self.graphs, path[:depth]).notify_changed(path[depth])
            except KeyError:
                break
        if reanalyze and path[0] in self.graphs:
            self._analyze(path[0])
        moved = self._settle_active()
        if reanalyze or moved:
            self._analyze_body()
        if moved:
            self.active_changed.emit()
        if reanalyze:
            self.analysis_changed.emit()

    def refresh_analysis(self) -> None:
        for name in self.graphs:
            self._analyze(name)
        self._analyze_body()
        self.analysis_changed.emit()

    def _analyze(self, name: str) -> None:
        analyzer = self.analyzers.setdefault(name, Analyzer())
        self.analyses[name] = analyzer.analyze(self.graphs[name], self.auto)

    def _analyze_body(self) -> None:
        """The opened body's analysis: each level bound to the shapes reaching its block."""
        path = self.active_path
        if len(path) < 2:
            self._body_analysis = None
            return
        graph, analysis = self.graphs[path[0]], self.analyses[path[0]]
        for depth in range(1, len(path)):
            block_id = path[depth]
            shapes = body_input_shapes(graph, analysis, block_id)
            body = graph.nodes[block_id].params["graph"]
            subject = body
            # The body's Inputs and the block's wires may disagree: then it is shown unbound.
            with contextlib.suppress(InputShapeError):
                subject = bind(body, shapes) if shapes is not None else body
            analyzer = self._body_analyzers.setdefault(path[: depth + 1], Analyzer())
            analysis = analyzer.analyze(subject, self.auto)
            graph = body
        self._body_analysis = analysis

    def _settle_active(self) -> bool:
        """After an edit: the active path still leads somewhere (an undo may have removed the
        block or network it showed) and to the graph now there. Returns whether it moved."""
        path = valid_prefix(self.graphs, self.active_path) or (self.main_graph,)
        graph = resolve(self.graphs, path)
        if path == self.active_path and graph is self._shown:
            return False
        self.active_path, self._shown = path, graph
        return True

    # ---- networks -----------------------------------------------------------------------------
    def network_name_problem(self, name: str, current: str | None = None) -> str | None:
        """Why `name` cannot name a network (None when it can)."""
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            return (
                f"{name!r} cannot name a network: use letters, digits and _, not starting with a "
                "digit (it names the network's module and checkpoint keys), e.g. discriminator"
            )
        if name in self.graphs and name != current:
            return f"a network named {name!r} already exists"
        return None

    def add_network(self, name: str | None = None) -> str | None:
        """Add an empty network (one Input) after the others and show it; its name, or None
        when refused (a status message says why)."""
        name = name or _free_name(self.graphs, "network")
        problem = self.network_name_problem(name)
        if problem:
            self.status_message.emit(f"Cannot add the network: {problem}")
            return None
        fresh = Graph()
        fresh.add_node("Input", node_id="input")
        self.undo_stack.push(
            NetworkEdit(self, f"Add network {name}", "add", name, content=fresh.to_dict())
        )
        return name

    def rename_network(self, old: str, new: str) -> str | None:
        """Rename a network (training settings naming it follow); None, or why not."""
        if old == new:
            return None
        problem = None if old in self.graphs else f"there is no network named {old!r}"
        problem = problem or self.network_name_problem(new, current=old)
        if problem:
            self.status_message.emit(f"Cannot rename {old}: {problem}")
            return problem
        self.undo_stack.push(
            NetworkEdit(self, f"Rename network {old} to {new}", "rename", old, new)
        )
        if self.settings("training").get("step") == "gan" and old in GAN_NAMES:
            self.status_message.emit(
                f"Renamed {old} to {new}: the gan training step trains networks named "
                "generator and discriminator"
            )
        return None

    def remove_network(self, name: str) -> bool:
        """Remove a network (not the last one), as one undo step."""
        if name not in self.graphs:
            return False
        if len(self.graphs) == 1:
            self.status_message.emit(f"Cannot remove {name}: a project keeps one network at least")
            return False
        content = self.graphs[name].to_dict()
        index = list(self.graphs).index(name)
        self.undo_stack.push(
            NetworkEdit(
                self, f"Remove network {name}", "remove", name, content=content, index=index
            )
        )
        return True

    # Called by NetworkEdit (do, undo, redo): the one place the set of networks changes.
    def _insert_network(self, name: str, content: dict, index: int | None) -> None:
        items = list(self.graphs.items())
        index = len(items) if index is None else index
        items.insert(index, (name, project_io.graph_from_dict(content, name)))
        self._set_networks(dict(items))
        self.open_path((name,))

    def _drop_network(self, name: str) -> None:
        self._set_networks({key: g for key, g in self.graphs.items() if key != name})

    def _rename_network(self, old: str, new: str) -> None:
        for mapping in (self.analyzers, self.analyses):
            if old in mapping:
                mapping[new] = mapping.pop(old)
        self._body_analyzers.clear()
        if self.active_path[0] == old:
            self.active_path = (new,) + self.active_path[1:]
        training = self.settings("training")
        if old in (training.get("graphs") or {}):  # per-network settings keep their network
            graphs = {(new if k == old else k): v for k, v in training["graphs"].items()}
            self.replace_settings("training", training | {"graphs": graphs})
        self._set_networks({(new if key == old else key): g for key, g in self.graphs.items()})
        if self.network != new:
            self.open_path((new,))

    def _set_networks(self, graphs: dict[str, Graph]) -> None:
        project = self.project
        project.graphs = graphs
        project.graph = graphs[main_graph_name(graphs, project.training)]
        for mapping in (self.analyzers, self.analyses):
            for stale in set(mapping) - set(graphs):
                del mapping[stale]
        for name in graphs:
            if name not in self.analyses:
                self._analyze(name)
        moved = self._settle_active()
        self._analyze_body()
        self.graphs_changed.emit()
        if moved:
            self.active_changed.emit()
        self.analysis_changed.emit()


def _free_name(taken, stem: str) -> str:
    index = 2
    while f"{stem}_{index}" in taken:
        index += 1
    return f"{stem}_{index}"


class NetworkEdit(DocumentEdit):
    """Adds (`op` "add"), removes ("remove") or renames ("rename") the network `name`."""

    def __init__(
        self,
        document: Document,
        text: str,
        op: str,
        name: str,
        new_name: str | None = None,
        content: dict | None = None,
        index: int | None = None,
    ):
        super().__init__(document, text)
        self.op, self.name, self.new_name = op, name, new_name
        self.content, self.index = content, index

    def redo(self) -> None:
        document = self._document
        if self.op == "add":
            document._insert_network(self.name, self.content, self.index)
        elif self.op == "remove":
            document._drop_network(self.name)
        else:
            document._rename_network(self.name, self.new_name)

    def undo(self) -> None:
        document = self._document
        if self.op == "add":
            document._drop_network(self.name)
        elif self.op == "remove":
            document._insert_network(self.name, self.content, self.index)
        else:
            document._rename_network(self.new_name, self.name)
