"""Time and path arguments of feeds: ISO/epoch times -> ms, data paths relative to the cwd or project root."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def to_ms(value: str | int | float | None) -> int | None:
    """ms since epoch from an int/float (ms) or an ISO date/time (UTC unless it carries an offset)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return int(value)
    s = str(value).strip()
    if s.lstrip("-").isdigit():
        return int(s)
    dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def checked_time(value):
    """A settings validator's body: `value` unchanged if `to_ms` reads it, else the one error message for times."""
    try:
        to_ms(value)
    except ValueError:
        raise ValueError("expected ISO time (2025-09-20T00:00:00Z) or epoch ms") from None
    return value


def resolve_path(path: str) -> Path:
    """Absolute paths as given; relative ones against the working directory, then the project root."""
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p if (REPO_ROOT / p).exists() else p
