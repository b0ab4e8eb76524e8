"""Analysis of a graph: structural issues + inferred shapes, the state every view displays."""

from __future__ import annotations

from dataclasses import dataclass, field

from .graph import Graph
from .issues import Issue
from .shapes import AutoSizes, NodeShape, ShapeInference
from .validate import structural_issues


@dataclass
class Analysis:
    shapes: dict[str, NodeShape]
    issues: list[Issue] = field(default_factory=list)
    auto: AutoSizes = field(default_factory=AutoSizes)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.is_error]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    @property
    def complete(self) -> bool:
        """No errors and every shape known (nothing waits for `auto` data)."""
        return self.ok and all(result.shape is not None for result in self.shapes.values())

    def issues_for(self, node_id: str) -> list[Issue]:
        return [issue for issue in self.issues if issue.node_id == node_id]

    def shape_of(self, node_id: str):
        result = self.shapes.get(node_id)
        return None if result is None else result.shape


class Analyzer:
    """Keeps the shape cache between analyses of the same graph (incremental re-inference)."""

    def __init__(self) -> None:
        self.inference = ShapeInference()

    def analyze(self, graph: Graph, auto: AutoSizes | None = None) -> Analysis:
        auto = auto or AutoSizes()
        structural = structural_issues(graph)
        shapes = self.inference.infer(graph, auto)
        flagged = {(issue.node_id, issue.message) for issue in structural}
        shape_issues = [
            result.issue
            for result in shapes.values()
            if result.issue and (result.issue.node_id, result.issue.message) not in flagged
        ]
        return Analysis(shapes, structural + shape_issues, auto)


def analyze(graph: Graph, auto: AutoSizes | None = None) -> Analysis:
    """One-off analysis (no cache kept)."""
    return Analyzer().analyze(graph, auto)
