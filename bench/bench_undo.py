"""Undo on the canvas of a 300-node graph: replaying only the change vs rebuilding the scene.

Undo used to swap whole-graph snapshots, which the scene answered by rebuilding every item; now
it replays the edit's `GraphChange` and the scene updates the items concerned. Both are timed in
this run (median ms of an undo plus a redo of one parameter edit, re-analysis included) and
compared as a ratio. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.bench_shapes import big_graph, timed  # noqa: E402


def main() -> dict[str, float]:
    from neurocanvas.engine.project import Project
    from neurocanvas.gui.app import make_application
    from neurocanvas.gui.canvas.view import CanvasView
    from neurocanvas.gui.document import Document

    app = make_application()
    graph, _ = big_graph()
    target = next(node.id for node in list(graph)[len(graph) // 2 :] if node.type == "Dense")
    document = Document(Project(graph=graph))
    view = CanvasView(document)
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    document.set_param(target, "units", 33)
    stack = document.undo_stack

    def replay() -> None:
        stack.undo()
        stack.redo()

    stack.undo()
    before = graph.copy()
    stack.redo()
    after = graph.copy()

    def rebuild() -> None:  # what undo/redo did before: swap snapshots, the scene rebuilds
        graph.replace_with(before.copy())
        document.edited()
        graph.replace_with(after.copy())
        document.edited()

    replay()
    rebuild()
    replay_ms = timed(replay, 15)
    rebuild_ms = timed(rebuild, 15)
    ratio = rebuild_ms / replay_ms
    print(f"undo + redo of one parameter edit, {len(graph)} nodes on the canvas:")
    print(f"  replaying the change    {replay_ms:7.1f} ms")
    print(f"  rebuilding the scene    {rebuild_ms:7.1f} ms")
    print(f"  ratio                   {ratio:7.1f}x faster")
    stack.clear()
    view.close()
    return {"replay_ms": replay_ms, "rebuild_ms": rebuild_ms, "ratio": ratio}


if __name__ == "__main__":
    main()
