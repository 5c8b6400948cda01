"""Sizes and counts printed the way tracemalloc (and heapsleuth's Node side) prints them."""

from __future__ import annotations

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def format_size(size: float, signed: bool = False) -> str:
    """``15.3 KiB`` below 100 of a unit, whole numbers otherwise (``1840 KiB``), ``+``/``-`` when signed."""
    value = float(size)
    for unit in _UNITS:
        if abs(value) < 100 and unit != "B":
            return _with_sign(value, f"{abs(value):.1f}", signed) + f" {unit}"
        if abs(value) < 10 * 1024 or unit == _UNITS[-1]:
            return _with_sign(value, f"{abs(value):.0f}", signed) + f" {unit}"
        value /= 1024
    return f"{size} B"


def format_count(count: float, signed: bool = False) -> str:
    rounded = int(round(count))
    return f"+{rounded}" if signed and rounded >= 0 else str(rounded)


def _with_sign(value: float, magnitude: str, signed: bool) -> str:
    is_zero = magnitude in ("0", "0.0")
    if value < 0 and not is_zero:
        return "-" + magnitude
    return "+" + magnitude if signed else magnitude
