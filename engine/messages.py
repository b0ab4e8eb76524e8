"""Messages for people: one paragraph, lists capped ("a, b, c and 2,991 more"), so that a
3,000-node cycle is a sentence, not 344,317 characters on one line."""

from __future__ import annotations

from collections.abc import Iterable

MAX_MESSAGE_CHARS = 1200


def capped_list(items: Iterable[object], limit: int = 5, separator: str = ", ") -> str:
    """The first `limit` items joined, then how many more there are."""
    items = [str(item) for item in items]
    shown = separator.join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def one_paragraph(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` on one line (line breaks become spaces), cut to `limit` characters."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    joined = " ".join(lines)
    if len(joined) <= limit:
        return joined
    return joined[: limit - 40].rstrip() + f" … ({len(joined) - limit + 40:,} more characters)"
