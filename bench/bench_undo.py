"""Undo on the canvas of a 300-node graph: replaying only the change vs rebuilding the scene.

Undo used to swap whole-graph snapshots, which the scene answered by rebuilding every item; now
it replays the edit's `GraphChange` and the scene updates the items concerned. Both are timed in
this run (median ms of an undo plus a redo, re-analysis included) for two edits of one layer:
one that changes the shapes downstream (units) and one that changes none (activation). Prints
figures and ratios; asserts nothing.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.bench_shapes import big_graph, timed  # noqa: E402

EDITS = (("units", 33, "shapes change downstream"), ("activation", "tanh", "no shape changes"))


def main() -> dict[str, float]:
    from neurocanvas.engine.layout import apply_layout
    from neurocanvas.engine.project import Project
    from neurocanvas.gui.app import make_application
    from neurocanvas.gui.canvas.view import CanvasView
    from neurocanvas.gui.document import Document

    app = make_application()
    graph, _ = big_graph()
    apply_layout(graph)  # where the cards would be on a real canvas
    target = next(node.id for node in list(graph)[len(graph) // 2 :] if node.type == "Dense")
    document = Document(Project(graph=graph))
    view = CanvasView(document)
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    stack = document.undo_stack
    print(f"undo + redo of one edit of {target}, {len(graph)} nodes on the canvas:")
    figures = {}
    for name, value, what in EDITS:
        document.set_param(target, name, value)
        figures[name] = _compare(document, graph, stack)
        replay_ms, rebuild_ms = figures[name]
        print(f"  {name} ({what}):")
        print(f"    replaying the change    {replay_ms:7.1f} ms")
        print(f"    rebuilding the scene    {rebuild_ms:7.1f} ms")
        print(f"    ratio                   {rebuild_ms / replay_ms:7.1f}x")
    stack.clear()
    view.close()
    return {f"{name}_ratio": rebuild / replay for name, (replay, rebuild) in figures.items()}


def _compare(document, graph, stack) -> tuple[float, float]:
    stack.undo()
    before = graph.copy()
    stack.redo()
    after = graph.copy()

    def replay() -> None:
        stack.undo()
        stack.redo()

    def rebuild() -> None:  # what undo/redo did before: swap snapshots, the scene rebuilds
        graph.replace_with(before.copy())
        document.edited()
        graph.replace_with(after.copy())
        document.edited()

    replay()
    rebuild()
    return timed(replay, 15), timed(rebuild, 15)


if __name__ == "__main__":
    main()
