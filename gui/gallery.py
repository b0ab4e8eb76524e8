"""The template gallery: a card per template (thumbnail of its graph, name, description).

`neurocanvas` with no project opens it (unless "Show at start" was unticked), as does File > New
from template. Above the cards it lists the recent projects. Choosing returns a `GalleryChoice`:
a template name, a recent project's path, a blank project, or "open a file instead".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neurocanvas.engine.templates import TemplateInfo, list_templates
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from . import files, theme
from .gallery_outline import Outline, outline_for, stored_outlines

THUMB_SIZE = QSize(300, 150)
CARD_WIDTH = 332


@dataclass(frozen=True)
class GalleryChoice:
    kind: str  # "template", "recent" (name: the path), "blank" or "open"
    name: str = ""


def graph_thumbnail(outline: Outline, size: QSize = THUMB_SIZE) -> QPixmap:
    """The graph as its canvas would show it, shrunk: category-coloured boxes and curved wires."""
    colors = theme.canvas_colors()
    pixmap = QPixmap(size)
    pixmap.fill(colors["background"])
    if not outline.nodes:
        return pixmap
    node_w, node_h = 170.0, 56.0
    xs = [x for x, _y, _category in outline.nodes]
    ys = [y for _x, y, _category in outline.nodes]
    box = QRectF(min(xs), min(ys), max(xs) - min(xs) + node_w, max(ys) - min(ys) + node_h)
    margin = 10.0
    scale = min(
        (size.width() - 2 * margin) / box.width(), (size.height() - 2 * margin) / box.height(), 0.6
    )
    offset = QPointF(
        (size.width() - box.width() * scale) / 2, (size.height() - box.height() * scale) / 2
    )

    def place(x: float, y: float) -> QPointF:
        return QPointF((x - box.left()) * scale, (y - box.top()) * scale) + offset

    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colors["wire"], 1.2))
    for src_index, dst_index in outline.edges:
        src, dst = outline.nodes[src_index], outline.nodes[dst_index]
        start = place(src[0] + node_w / 2, src[1] + node_h)
        end = place(dst[0] + node_w / 2, dst[1])
        path = QPainterPath(start)
        bend = max(8.0, (end.y() - start.y()) / 2)
        path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
        painter.drawPath(path)
    for x, y, category in outline.nodes:
        rect = QRectF(place(x, y), place(x + node_w, y + node_h))
        painter.setPen(QPen(colors["node_border"], 1))
        painter.setBrush(colors["node"])
        painter.drawRoundedRect(rect, 3, 3)
        header = QRectF(rect.left(), rect.top(), rect.width(), max(3.0, rect.height() * 0.3))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.category_color(category))
        painter.drawRoundedRect(header, 2, 2)
    painter.end()
    return pixmap


class TemplateCard(QFrame):
    clicked = Signal(str)
    activated = Signal(str)

    def __init__(self, info: TemplateInfo, parent=None, stored: dict | None = None):
        super().__init__(parent)
        self.info = info
        self.setObjectName("templateCard")
        self.setFixedWidth(CARD_WIDTH)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        outline = outline_for(info, stored)
        thumb = QLabel()
        thumb.setPixmap(graph_thumbnail(outline))
        thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(f"<b>{info.title}</b>")
        title.setStyleSheet("font-size: 14px;")
        description = QLabel(info.description)
        description.setWordWrap(True)
        description.setObjectName("muted")
        description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        description.setMinimumHeight(34)
        layers = QLabel(f"{len(outline.nodes)} layers · {info.name}")
        layers.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(6)
        layout.addWidget(thumb)
        layout.addWidget(title)
        layout.addWidget(description, 1)
        layout.addWidget(layers)
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.clicked.emit(self.info.name)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.activated.emit(self.info.name)


class GalleryDialog(QDialog):
    """Pick a template; `choice` holds the answer after `exec()` returns Accepted."""

    painted = Signal()  # once, after the first paint: the start-up then imports the rest

    def __init__(self, parent=None, preselect: str = "seed-cnn", recent: list[Path] = ()):
        super().__init__(parent)
        self.setWindowTitle("New from template — NeuroCanvas")
        self.setStyleSheet(card_style())
        self.choice: GalleryChoice | None = None
        self._painted_once = False
        self.cards: dict[str, TemplateCard] = {}
        heading = QLabel("Start from a template")
        heading.setStyleSheet("font-size: 20px; font-weight: 600;")
        subheading = QLabel(
            "Each one is a working network you can change: pick one, or start from a blank canvas."
        )
        subheading.setObjectName("muted")
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        holder = QWidget()
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.grid)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(holder)
        stored = stored_outlines()
        for info in list_templates():
            card = TemplateCard(info, stored=stored)
            card.clicked.connect(self.select)
            card.activated.connect(self._choose_template)
            self.cards[info.name] = card
        self._columns = 0
        self._arrange(3)
        self.recent = self._recent_list(recent)
        self.at_start = QCheckBox("Show this at start")
        self.at_start.setChecked(files.gallery_at_start())
        self.at_start.toggled.connect(files.set_gallery_at_start)
        buttons = QDialogButtonBox()
        self.blank_button = QPushButton("Blank project")
        self.open_button = QPushButton("Open file…")
        self.create_button = buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.create_button.setDefault(True)
        for button in (self.blank_button, self.open_button):
            button.setAutoDefault(False)  # Enter means "Create", whatever has focus
        footer = QHBoxLayout()
        footer.addWidget(self.blank_button)
        footer.addWidget(self.open_button)
        footer.addStretch(1)
        footer.addWidget(self.at_start)
        footer.addWidget(buttons)
        self.create_button.clicked.connect(lambda: self._choose_template(self.selected))
        self.blank_button.clicked.connect(lambda: self._finish(GalleryChoice("blank")))
        self.open_button.clicked.connect(lambda: self._finish(GalleryChoice("open")))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(subheading)
        if recent:
            layout.addWidget(QLabel("<b>Recent projects</b> (double-click or Enter to open)"))
            layout.addWidget(self.recent)
        layout.addWidget(scroll, 1)
        layout.addLayout(footer)
        self.selected = ""
        self.select(preselect if preselect in self.cards else next(iter(self.cards), ""))
        self.resize(3 * (CARD_WIDTH + 16) + 70, 760)

    def _recent_list(self, recent: list[Path]) -> QListWidget:
        """The recent projects, newest first: name and folder, the full path as tooltip."""
        listing = QListWidget()
        for path in recent:
            item = QListWidgetItem(f"{path.stem}  —  {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            listing.addItem(item)
        rows = min(max(len(recent), 1), 4)
        listing.setFixedHeight(rows * listing.sizeHintForRow(0) + 2 * listing.frameWidth() + 4)
        listing.itemActivated.connect(
            lambda item: self._finish(GalleryChoice("recent", item.data(Qt.ItemDataRole.UserRole)))
        )
        return listing

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards.values():
            self.grid.removeWidget(card)
        for index, card in enumerate(self.cards.values()):
            self.grid.addWidget(card, index // columns, index % columns)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted_once:
            self._painted_once = True
            QTimer.singleShot(0, self.painted.emit)  # after this paint has reached the screen

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # Reflow the cards so a wide window shows more per row instead of wide gaps.
        self._arrange(max(1, (event.size().width() - 60) // (CARD_WIDTH + 16)))
        super().resizeEvent(event)

    def select(self, name: str) -> None:
        self.selected = name
        for card_name, card in self.cards.items():
            card.set_selected(card_name == name)

    def _choose_template(self, name: str) -> None:
        if name:
            self._finish(GalleryChoice("template", name))

    def _finish(self, choice: GalleryChoice) -> None:
        self.choice = choice
        self.accept()


def card_style() -> str:
    """Style sheet for the cards: a hairline border, the accent colour when selected."""
    border = "#3a3f4b" if theme.is_dark() else "#dde1e7"
    background = "#25272e" if theme.is_dark() else "#ffffff"
    accent = theme.ACCENT.name()
    return (
        f"QFrame#templateCard {{ border: 1px solid {border}; border-radius: 8px;"
        f" background: {background}; }}"
        f'QFrame#templateCard[selected="true"] {{ border: 2px solid {accent}; }}'
        f"QFrame#templateCard QLabel {{ border: none; background: transparent; }}"
    )


def pick_template(parent=None, on_painted=None) -> GalleryChoice | None:
    dialog = GalleryDialog(parent, recent=files.recent_files())
    if on_painted is not None:
        dialog.painted.connect(on_painted)
    return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None
