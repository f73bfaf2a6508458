"""`scalp bench <what> [--json]`: run a benchmark from engine/bench/<what>.py."""
from __future__ import annotations

import importlib
import pkgutil
import sys

from engine.i18n import t

HELP = "run a benchmark"


def benches() -> list[str]:
    import engine.bench as pkg
    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = benches()
    if not argv or argv[0] not in names:
        if argv and argv[0].startswith("-"):
            from engine.cli import unknown_option
            return unknown_option("bench", argv[0])
        print(t("bench.usage", names="|".join(names)), file=sys.stderr)
        return 2
    return int(importlib.import_module(f"engine.bench.{argv[0]}").main(argv[1:]) or 0)
