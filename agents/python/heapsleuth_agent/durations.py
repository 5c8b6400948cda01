"""Durations as heapsleuth writes them: seconds, or text such as ``500ms``, ``5s``, ``2m``, ``1h``."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PATTERN = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$")


def parse_seconds(value: float | int | str, what: str) -> float:
    """Seconds from a number of seconds or a duration text; a bare number in text is seconds too."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a duration, got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _PATTERN.match(str(value).strip())
        if not match:
            raise ValueError(f"{what}: cannot read duration {value!r}; use e.g. 500ms, 5s, 2m, 1h")
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if not seconds > 0:
        raise ValueError(f"{what} must be more than zero")
    return seconds
