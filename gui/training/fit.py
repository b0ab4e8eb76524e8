"""Helpers that keep the settings panes within their width: forms that wrap long rows, combo
boxes that do not ask for their longest item's width, and a scroll area that scrolls vertically
only (its widget always as wide as the viewport, never scrolled sideways)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QScrollArea, QSizePolicy, QWidget

COMBO_CHARS = (
    8  # a combo box asks for this many characters; wider items elide in the popup-less view
)


def fitting_form() -> QFormLayout:
    """A form whose fields grow to the width and whose rows wrap (field below its label) when
    label and field do not fit side by side."""
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def compact(combo: QComboBox, chars: int = COMBO_CHARS) -> QComboBox:
    """Let `combo` shrink below its longest item (the popup still shows items in full)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
    return combo


class VerticalScrollArea(QScrollArea):
    """Scrolls up and down only: the widget is kept exactly as wide as the viewport, so nothing
    is cut at the right edge and focus changes can never leave it scrolled sideways."""

    def __init__(self, widget: QWidget, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(widget)
        widget.installEventFilter(self)
        self.horizontalScrollBar().valueChanged.connect(self._no_sideways)

    def _no_sideways(self, value: int) -> None:
        if value:
            self.horizontalScrollBar().setValue(0)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        widget = self.widget()
        if widget is not None:
            widget.setMaximumWidth(self.viewport().width())

    def minimumSizeHint(self):  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        widget = self.widget()
        if widget is not None:  # as wide as the widget needs (plus a vertical scroll bar)
            hint.setWidth(
                widget.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
            )
        return hint
