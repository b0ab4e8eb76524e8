"""Undoable edits of the graph. Each command records the graph before and after its first run, so
undo and redo restore the exact graph whatever the edit was (add, delete, wire, move, paste, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from .document import Document

from neurocanvas.engine.graph import Graph

_MERGE_IDS: dict[str, int] = {}


def merge_id(kind: str) -> int:
    """A stable QUndoCommand id per kind of mergeable edit."""
    return _MERGE_IDS.setdefault(kind, 1000 + len(_MERGE_IDS))


class GraphEdit(QUndoCommand):
    """Runs `apply(graph)` once; undo/redo swap whole-graph snapshots afterwards.

    `merge_key`: consecutive edits with the same key collapse into one undo step (typing digits into
    a spin box, nudging a node), keeping the first 'before' and the last 'after'."""

    def __init__(
        self,
        document: Document,
        text: str,
        apply: Callable[[Graph], None],
        merge_key: tuple | None = None,
        reanalyze: bool = True,
    ):
        super().__init__(text)
        self._document = document
        self._apply = apply
        self._merge_key = merge_key
        self._reanalyze = reanalyze
        self._before: Graph | None = None
        self._after: Graph | None = None

    def id(self) -> int:  # noqa: A003 - Qt override
        return merge_id(self._merge_key[0]) if self._merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, GraphEdit) or other._merge_key != self._merge_key:
            return False
        self._after = other._after
        return True

    def redo(self) -> None:
        graph = self._document.graph
        if self._after is None:
            self._before = graph.copy()
            self._apply(graph)
            self._after = graph.copy()
        else:
            graph.replace_with(self._after.copy())
        self._document.edited(self._reanalyze)

    def undo(self) -> None:
        self._document.graph.replace_with(self._before.copy())
        self._document.edited(self._reanalyze)
