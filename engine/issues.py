"""`Issue`: a problem found in a graph, tied to the node at fault, with a suggested fix."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    node_id: str | None  # None for problems of the whole graph (e.g. no Input)
    severity: str
    message: str
    fix: str = ""

    @classmethod
    def error(cls, node_id: str | None, message: str, fix: str = "") -> Issue:
        return cls(node_id, ERROR, message, fix)

    @classmethod
    def warning(cls, node_id: str | None, message: str, fix: str = "") -> Issue:
        return cls(node_id, WARNING, message, fix)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        where = f"{self.node_id}: " if self.node_id else ""
        if self.message.startswith(f"{self.node_id} > "):  # inside a block: the path says where
            where = ""
        fix = f" Fix: {self.fix}." if self.fix else ""
        return f"{where}{self.message}.{fix}".replace("..", ".")
