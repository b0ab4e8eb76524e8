"""Level of detail on the canvas: from which zoom cards show their texts and wires their labels.

The zoom is the painter's (`levelOfDetailFromTransform`: device pixels per scene unit, 1.0 at
100 %), so a card cached or printed at another scale is drawn for that scale. Zoomed far out on a
big graph, texts a few pixels tall cannot be read and only cost paint time.
"""

from __future__ import annotations

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

# Below this zoom the 9-point card caption is under ~5 px tall: a card is a box with its colour
# strip and outline, with no texts, badge, shadow or ports.
TEXT_MIN_ZOOM = 0.4
# Below this zoom a wire label's 7.5-point text is under ~6 px tall: wires are drawn without labels.
LABEL_MIN_ZOOM = 0.6


def level_of_detail(painter: QPainter) -> float:
    """The painter's zoom: device pixels per scene unit."""
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def texts_legible(painter: QPainter) -> bool:
    return level_of_detail(painter) >= TEXT_MIN_ZOOM


def labels_legible(painter: QPainter) -> bool:
    return level_of_detail(painter) >= LABEL_MIN_ZOOM
