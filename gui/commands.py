"""Undoable edits of a Document: one command family for the graphs and the settings.

Every edit is a `DocumentEdit`. They share one merge scheme: an edit may carry a `merge_key`
(a tuple whose first item names the kind of edit); consecutive edits with equal keys collapse into
one undo step (typing digits into a spin box, stepping a setting five times), and a merged step
that ends where it started is dropped, so the stack holds no step that changes nothing.

- `GraphEdit` runs `apply(graph)` once on the graph at a path (a network's name, then the blocks
  opened inside it: `graph_paths.py`) and records what it changed (a `GraphChange`); undo and
  redo replay only that, so the graph sends fine-grained events and the canvas updates the items
  concerned. Undo and redo first show the graph they change (its tab, the block's body).
- `NetworkEdit` (`document_graphs.py`) adds, renames or removes a network.
- `SettingsEdit` replaces one settings section of the project ("data", "training"); the document
  then emits `settings_changed(section)`.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from neurocanvas.engine.graph import Graph
from neurocanvas.engine.graph_change import GraphChange, diff
from PySide6.QtGui import QUndoCommand

from .graph_paths import GraphPath, as_path, resolve

if TYPE_CHECKING:
    from .document import Document

_MERGE_IDS: dict[str, int] = {}


def merge_id(kind: str) -> int:
    """A stable QUndoCommand id per kind of mergeable edit."""
    return _MERGE_IDS.setdefault(kind, 1000 + len(_MERGE_IDS))


class DocumentEdit(QUndoCommand):
    """The base of every edit: the merge scheme. Subclasses say how to absorb a later edit with
    the same key (`absorb`) and whether the step changes anything any more (`changes_nothing`)."""

    def __init__(self, document: Document, text: str, merge_key: tuple | None = None):
        super().__init__(text)
        # Weakly: the document's stack owns this command (in C++), so a strong reference back
        # makes a cycle the garbage collector tears down in the wrong order, freeing the command
        # before the stack deletes it again (a segfault at collection time).
        self._document_ref = weakref.ref(document)
        self.merge_key = merge_key

    @property
    def _document(self) -> Document:
        return self._document_ref()

    def id(self) -> int:  # noqa: A003 - Qt override
        return merge_id(self.merge_key[0]) if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if type(other) is not type(self) or other.merge_key != self.merge_key:
            return False
        self.absorb(other)
        if self.changes_nothing():
            self.setObsolete(True)  # stepped back to where it was: no step at all
        return True

    def absorb(self, other: DocumentEdit) -> None:  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def changes_nothing(self) -> bool:  # pragma: no cover - every subclass has one
        raise NotImplementedError


class GraphEdit(DocumentEdit):
    """Runs `apply(graph)` once on the graph at `graph_name` (a name or a path; the Document's
    active graph by default); undo/redo show that graph and replay its change."""

    def __init__(
        self,
        document: Document,
        text: str,
        apply: Callable[[Graph], None],
        merge_key: tuple | None = None,
        reanalyze: bool = True,
        graph_name: str | GraphPath | None = None,
    ):
        super().__init__(document, text, merge_key)
        self._apply = apply
        self._reanalyze = reanalyze
        self.path: GraphPath = as_path(graph_name) if graph_name else document.active_path
        self.graph_name = self.path[0]  # the network
        self.change: GraphChange | None = None

    @property
    def _graph(self) -> Graph:
        # Looked up by path on every replay: the edit addresses a graph of the project, not an
        # object that a later edit (an outer undo restoring a block's body) might replace.
        return resolve(self._document.graphs, self.path)

    def redo(self) -> None:
        if self.change is None:
            graph = self._graph
            before = graph.copy()
            self._apply(graph)
            self.change = diff(before, graph)
        else:
            self._document.reveal(self.path)
            self.change.apply(self._graph)
        self._document.edited(self._reanalyze, self.path)

    def undo(self) -> None:
        self._document.reveal(self.path)
        self.change.revert(self._graph)
        self._document.edited(self._reanalyze, self.path)

    def absorb(self, other: DocumentEdit) -> None:
        # The graph is in `other`'s after-state; going back through both changes on a copy gives
        # this step's before-state, and one diff spans the two.
        graph = self._graph
        start = graph.copy()
        other.change.revert(start)
        self.change.revert(start)
        self.change = diff(start, graph)

    def changes_nothing(self) -> bool:
        return self.change.empty


class SettingsEdit(DocumentEdit):
    """Replaces the project's settings `section` with `value` (deep copies both ways)."""

    def __init__(self, document: Document, section: str, value: dict[str, Any], text: str):
        super().__init__(document, text, ("settings", section, text))
        self.section = section
        self.before = copy.deepcopy(document.settings(section))
        self.after = copy.deepcopy(value)

    def redo(self) -> None:
        self._document.replace_settings(self.section, copy.deepcopy(self.after))

    def undo(self) -> None:
        self._document.replace_settings(self.section, copy.deepcopy(self.before))

    def absorb(self, other: DocumentEdit) -> None:
        self.after = other.after

    def changes_nothing(self) -> bool:
        return self.after == self.before
