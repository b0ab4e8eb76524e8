"""Human-readable numbers shared by the CLI, the window and export reports."""

from __future__ import annotations


def count_text(number: int | None) -> str:
    """418666 -> '418,666'; unknown -> '?'."""
    return "?" if number is None else f"{number:,}"


def bytes_text(count: float | None) -> str:
    """1677456 -> '1.60 MB'; unknown -> '?'."""
    if count is None:
        return "?"
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.2f} {unit}"
        value /= 1024
    return f"{value:.2f} GB"


def flops_text(flops: int | None, suffix: str = "") -> str:
    """923600 -> '923.60 K' (+ suffix, e.g. 'FLOPs'); unknown -> '?'."""
    if flops is None:
        return "?"
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if flops >= size:
            return f"{flops / size:.2f} {unit}{suffix}"
    return f"{flops} {suffix}".strip()
