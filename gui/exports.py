"""Pictures and tables out of the window: the canvas as PNG or SVG, the summary as text, Markdown
or CSV. Plain functions over a `CanvasScene` / `Summary`, so tests call them without dialogs;
the File > Export menu that asks for the paths lives in `export_actions`.
"""

from __future__ import annotations

import csv
import io
import os
from contextlib import contextmanager
from pathlib import Path

from neurocanvas.engine.atomic import atomic_output, write_atomic
from neurocanvas.engine.shape_format import format_shape
from PySide6.QtCore import QMarginsF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

MARGIN = 24.0  # scene units around the graph, so outlines and labels are not cut at the edge
PNG_SCALE = 2.0  # device pixels per scene unit: sharp on high-DPI screens and in documents

_NO_CACHE = QGraphicsItem.CacheMode.NoCache
SUMMARY_FORMATS = {"text": ".txt", "markdown": ".md", "csv": ".csv"}


# ---- the canvas ---------------------------------------------------------------------------------
def canvas_rect(scene, margin: float = MARGIN) -> QRectF:
    """The graph's bounding rect (cards and wires) plus `margin` on every side."""
    rect = scene.items_rect() if hasattr(scene, "items_rect") else scene.itemsBoundingRect()
    if rect.isNull():
        rect = QRectF(0, 0, 200, 100)  # an empty canvas still gives a (blank) picture
    return rect.marginsAdded(QMarginsF(margin, margin, margin, margin))


@contextmanager
def _for_export(scene):
    """The scene as a document picture: no selection highlight, no grid, no cached pixmaps
    (restored afterwards): an SVG gets vector cards and text, a PNG cards drawn at its own scale.

    Signals are blocked so the inspector and status bar do not react to the temporary change."""
    selected = [item for item in scene.selectedItems()]
    cached = [(item, item.cacheMode()) for item in scene.items() if item.cacheMode() != _NO_CACHE]
    colors = getattr(scene, "colors", None)
    grid = colors.get("grid") if colors is not None else None
    blocked = scene.blockSignals(True)
    try:
        for item in selected:
            item.setSelected(False)
        for item, _mode in cached:
            item.setCacheMode(_NO_CACHE)
        if grid is not None:
            colors["grid"] = QColor(0, 0, 0, 0)  # drawBackground still fills the background
        yield
    finally:
        if grid is not None:
            colors["grid"] = grid
        for item in selected:
            item.setSelected(True)
        for item, mode in cached:
            item.setCacheMode(mode)
        scene.blockSignals(blocked)
        scene.update()


def _render(scene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)


def save_canvas_png(
    scene, path: str | os.PathLike, scale: float = PNG_SCALE, margin: float = MARGIN
) -> QSize:
    """Render the graph to a PNG at `scale` device pixels per scene unit; the image size."""
    source = canvas_rect(scene, margin)
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    with _for_export(scene):
        painter = QPainter(image)
        try:
            _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
        finally:
            painter.end()
    with atomic_output(path, ".png") as temp:
        if not image.save(str(temp), "PNG"):
            raise OSError(f"could not write {path}")
    return size


def save_canvas_svg(
    scene, path: str | os.PathLike, margin: float = MARGIN, title: str = ""
) -> QSize:
    """Render the graph to an SVG file (vector: cards, wires and text stay sharp at any size)."""
    from PySide6.QtSvg import QSvgGenerator

    source = canvas_rect(scene, margin)
    size = QSize(max(1, round(source.width())), max(1, round(source.height())))
    with atomic_output(path, ".svg") as temp:
        generator = QSvgGenerator()
        generator.setFileName(str(temp))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        # Fonts are sized in points: at the generator's default 72 dpi they come out smaller than
        # on the canvas, so use the screen's resolution the scene was laid out with.
        generator.setResolution(_screen_dpi())
        generator.setTitle(title or "NeuroCanvas graph")
        generator.setDescription("Exported from NeuroCanvas")
        with _for_export(scene):
            painter = QPainter()
            if not painter.begin(generator):
                raise OSError(f"could not write {path}")
            try:
                _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
            finally:
                painter.end()  # writes the file: before the rename
    return size


def _screen_dpi() -> int:
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    return round(screen.logicalDotsPerInch()) if screen is not None else 96


# ---- the summary --------------------------------------------------------------------------------
def summary_of(document):
    """The document's summary (FLOPs counted by running every layer once)."""
    from neurocanvas.engine.summary import summarize

    return summarize(document.network_graph, document.auto, analysis=document.network_analysis)


def summary_text(summary, title: str = "") -> str:
    """The Keras-style fixed-width table, as `neurocanvas summary` prints it."""
    from neurocanvas.engine.summary import format_table

    return format_table(summary, title)


def _cells(row) -> list[str]:
    from neurocanvas.engine.shape_format import shape_text

    flops = "?" if row.flops is None else f"{row.flops:,}"
    return [
        row.name,
        row.caption,
        shape_text(row.output_shape),
        f"{row.params:,}",
        f"{row.trainable:,}",
        flops,
    ]


HEADER = ["Layer", "Type", "Output shape", "Params", "Trainable", "FLOPs"]


def summary_markdown(summary, title: str = "") -> str:
    """A GitHub-flavoured Markdown table (numbers right-aligned) and the totals below it."""

    def escape(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"## {title}", ""] if title else []
    lines.append("| " + " | ".join(HEADER) + " |")
    lines.append("|" + "|".join([" --- "] * 3 + [" ---: "] * 3) + "|")
    lines += ["| " + " | ".join(escape(c) for c in _cells(row)) + " |" for row in summary.rows]
    flops = "?" if summary.flops is None else f"{summary.flops:,}"
    lines += [
        "",
        f"- **Total params:** {summary.total_params:,}",
        f"- **Trainable params:** {summary.trainable_params:,}",
        f"- **Non-trainable params:** {summary.non_trainable_params:,}",
        f"- **FLOPs per sample:** {flops}",
    ]
    lines += [f"\n> {note}" for note in summary.notes]
    return "\n".join(lines) + "\n"


def summary_csv(summary) -> str:
    """One row per layer with plain numbers (no thousands separators) for spreadsheets, then a
    TOTAL row; the output shape is written like `1x28x28`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["layer", "type", "caption", "output_shape", "params", "trainable", "flops"])
    for row in summary.rows:
        shape = "" if row.output_shape is None else format_shape(row.output_shape)
        flops = "" if row.flops is None else row.flops
        writer.writerow([row.name, row.type, row.caption, shape, row.params, row.trainable, flops])
    writer.writerow(
        [
            "TOTAL",
            "",
            "",
            "",
            summary.total_params,
            summary.trainable_params,
            "" if summary.flops is None else summary.flops,
        ]
    )
    return out.getvalue()


def write_summary(
    summary, path: str | os.PathLike, kind: str | None = None, title: str = ""
) -> Path:
    """Write the summary as `kind` (text, markdown, csv; by default from the file's suffix)."""
    path = Path(path)
    if kind is None:
        kind = {suffix: name for name, suffix in SUMMARY_FORMATS.items()}.get(
            path.suffix.lower(), "text"
        )
    if kind == "text":
        text = summary_text(summary, title)
    elif kind == "markdown":
        text = summary_markdown(summary, title)
    elif kind == "csv":
        text = summary_csv(summary)
    else:
        raise ValueError(f"unknown summary format {kind!r}; choose from text, markdown, csv")
    write_atomic(path, text)
    return path
