"""Where wires run and where their labels sit, for the scene: the cards a wire may have to go
around, and each label slid along its curve to the first spot free of cards and other labels.

Both ask an index sorted by height for the cards (and labels) near a wire instead of testing
every one, so placing all labels of a 300-node graph costs in proportion to the wires and the
cards they actually meet, not to wires times cards.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable

from PySide6.QtCore import QRectF

from .edge_item import LABEL_HEIGHT, EdgeItem
from .node_item import HEIGHT, NodeItem

LABEL_POSITIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85)
CARD_PAD = 4.0  # labels keep this far from cards


class CardIndex:
    """The scene's cards sorted by their top: which ones lie across a band of heights."""

    def __init__(self, items: Iterable[NodeItem]):
        self._items = sorted(items, key=lambda item: item.y())
        self._tops = [item.y() for item in self._items]

    def crossing(self, top: float, bottom: float) -> list[NodeItem]:
        """Cards with top < `bottom` and top + HEIGHT > `top`, in height order."""
        # A little slack on the search, then the exact test: same answer as testing every card.
        start = bisect_left(self._tops, top - HEIGHT - 1.0)
        stop = bisect_right(self._tops, bottom)
        return [
            item
            for item in self._items[start:stop]
            if item.y() < bottom and item.y() + HEIGHT > top
        ]


def obstacles(index: CardIndex, src: NodeItem, dst: NodeItem, top: float, bottom: float):
    """The cards (scene rects) other than its own two ends that a wire from height `top` down to
    `bottom` might pass behind."""
    return [
        item.scene_card_rect()
        for item in index.crossing(top, bottom)
        if item is not src and item is not dst
    ]


class _Labels:
    """Placed label rects sorted by top (every label has the same height)."""

    def __init__(self) -> None:
        self._rects: list[tuple[float, int, QRectF]] = []

    def add(self, rect: QRectF) -> None:
        insort(self._rects, (rect.top(), len(self._rects), rect))

    def near(self, region: QRectF) -> list[QRectF]:
        start = bisect_left(self._rects, (region.top() - LABEL_HEIGHT - 1.0,))
        stop = bisect_right(self._rects, (region.bottom() + 1.0,))
        return [rect for _, _, rect in self._rects[start:stop] if rect.intersects(region)]


def place_labels(
    wires: Iterable[EdgeItem], index: CardIndex, fixed: Iterable[EdgeItem] = ()
) -> None:
    """Slide each wire's label to the spot along its curve that overlaps the fewest cards (ten
    times worse than a label) and other labels, nearest the middle; short wires first, as they
    have the least room and long ones can go around them. The labels of `fixed` wires stay where
    they are and count as other labels (an edit that changed a few label texts places only those)."""
    placed = _Labels()
    for item in fixed:
        if not item.label_rect().isEmpty():
            placed.add(item.label_rect())
    for item in sorted(wires, key=lambda wire: wire.path.length()):
        width, height = item.label_size()
        # Every spot along the curve lies within the curve's box (control points included).
        region = item.path.boundingRect().adjusted(-width / 2, -height / 2, width / 2, height / 2)
        cards = [
            rect
            for card in index.crossing(region.top() - CARD_PAD, region.bottom() + CARD_PAD)
            if (
                rect := card.scene_card_rect().adjusted(-CARD_PAD, -CARD_PAD, CARD_PAD, CARD_PAD)
            ).intersects(region)
        ]
        labels = placed.near(region)
        best_t, best_cost = 0.5, float("inf")
        for t in LABEL_POSITIONS:
            rect = item.label_rect_at(t)
            cost = (
                10 * sum(rect.intersects(card) for card in cards)
                + sum(rect.intersects(other) for other in labels)
                + abs(t - 0.5)
            )
            if cost < best_cost:
                best_t, best_cost = t, cost
            if cost < 1:
                break
        item.set_label_t(best_t)
        placed.add(item.label_rect())
