"""Durations as users write them: ``900``, ``"90s"``, ``"15m"``, ``"1h"``, ``"1d"``."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_duration(value: object) -> float:
    """Return seconds for a number or a string such as ``"15m"``; raise ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("expected seconds or a duration such as '15m', '1h', got a boolean")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        match = _PATTERN.match(value)
        if not match:
            raise ValueError(
                f"expected a duration such as '90s', '15m', '1h' or '1d', got {value!r}"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    else:
        raise ValueError(f"expected seconds or a duration string, got {type(value).__name__}")
    if seconds != seconds or seconds < 0:
        raise ValueError(f"duration must not be negative, got {value!r}")
    return seconds
