"""Alert as one JSON line (file or stderr): timestamp, level, message and fields, English keys."""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from pydantic import Field

from components.alert._delivery import LEVELS, Attempt
from registry import Params, register


@register("alert", "log")
class LogAlert:
    """Append `{"ts_ms", "level", "message", ...fields}` as one JSON line to `path` (null = stderr)."""

    class Params(Params):
        path: str | None = Field(None, description="JSON-lines file; null = stderr")
        min_level: str = Field("info", pattern="^(info|warning|critical)$",
                               description="drop alerts below this level")

    def __init__(self, p: "LogAlert.Params") -> None:
        self.p = p
        self._lock = threading.Lock()

    def wants(self, level: str) -> bool:
        return LEVELS.get(level, 1) >= LEVELS[self.p.min_level]

    def attempt(self, message: str, level: str = "warning", fields: dict | None = None) -> Attempt:
        return Attempt(True) if self._write(message, level, fields) else Attempt(False, retry=True, error="OSError")

    def send(self, message: str, level: str = "warning", fields: dict | None = None) -> bool:
        return self.wants(level) and self._write(message, level, fields)

    def _write(self, message: str, level: str, fields: dict | None) -> bool:
        line = json.dumps({"ts_ms": int(time.time() * 1000), "level": level, "message": message,
                           **(fields or {})}, ensure_ascii=False, default=str)
        try:
            with self._lock:
                if self.p.path is None:
                    print(line, file=sys.stderr, flush=True)
                else:
                    path = Path(self.p.path)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with path.open("a", encoding="utf-8") as f:
                        f.write(line + "\n")
            return True
        except OSError:
            return False
