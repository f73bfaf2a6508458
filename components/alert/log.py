"""Alert as one JSON line (file or stderr): timestamp, level, message and fields, English keys."""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from pydantic import Field

from registry import Params, register


@register("alert", "log")
class LogAlert:
    """Append `{"ts_ms", "level", "message", ...fields}` as one JSON line to `path` (null = stderr)."""

    class Params(Params):
        path: str | None = Field(None, description="JSON-lines file; null = stderr")
        min_level: str = Field("info", pattern="^(info|warning|critical)$",
                               description="drop alerts below this level")

    _LEVELS = {"info": 0, "warning": 1, "critical": 2}

    def __init__(self, p: "LogAlert.Params") -> None:
        self.p = p
        self._lock = threading.Lock()

    def send(self, message: str, level: str = "warning", fields: dict | None = None) -> bool:
        if self._LEVELS.get(level, 1) < self._LEVELS[self.p.min_level]:
            return False
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
