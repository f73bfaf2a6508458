"""Rebuild this bundled sample from shared/data (verbatim line copies): python examples/data/make_sample.py SRC."""
from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

MARKETS = ("KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL")
START_MS = 1758326400000          # 2025-09-20T00:00:00Z: the last 7 days of the 1m files
HERE = Path(__file__).resolve().parent


def _gz_write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:       # mtime=0: byte-identical rebuilds
        fh.write("".join(lines).encode("utf-8"))


def main(src: str) -> int:
    up = Path(src) / "upbit"
    for m in MARKETS:
        with gzip.open(up / "candles_1m" / f"{m}.csv.gz", "rt", newline="") as fh:
            header, *rows = fh.readlines()
        _gz_write(HERE / "upbit" / "candles_1m" / f"{m}.csv.gz",
                  [header] + [r for r in rows if int(r.split(",", 1)[0]) >= START_MS])
    for sub in ("ticks_2021", "rest_samples"):
        dst = HERE / "upbit" / sub
        dst.mkdir(parents=True, exist_ok=True)
        for f in sorted((up / sub).iterdir()):
            shutil.copyfile(f, dst / f.name)
    for f in sorted((up / "ws_captures").iterdir()):
        _gz_write(HERE / "upbit" / "ws_captures" / f"{f.name}.gz", f.read_text(encoding="utf-8").splitlines(True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
