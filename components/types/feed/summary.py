"""What a feed holds: per market and kind the rows and span, plus the quality report (for `scalp data info`)."""
from __future__ import annotations

from datetime import datetime, timezone

from components.types.events import KIND_NAMES
from components.types.stream import MarketStream


def utc(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def stream_rows(streams: dict[str, MarketStream]) -> list[dict]:
    """One row per (market, kind): rows, first/last own stamp (candles: open time), interval for candles."""
    out = []
    for m in sorted(streams):
        s = streams[m]
        for kind, batch in (("candle", s.candles), ("trade", s.trades), ("book", s.books)):
            if batch is None or len(batch) == 0:
                continue
            out.append({"market": m, "kind": kind, "rows": len(batch), "first_ms": int(batch.ts_ms.min()),
                        "last_ms": int(batch.ts_ms.max()),
                        "interval_s": batch.interval_s if kind == "candle" else None,
                        "levels": batch.levels if kind == "book" else None})
    return out


def summarize(feed, markets: list[str] | None = None) -> dict:
    """Load through the feed (quality checks run) and describe it; plain data, JSON-serializable."""
    streams = feed.load(markets)
    if feed.p.source == "files":
        where = str(feed.p.path)
    else:   # never the PostgreSQL URL: only the env var's name
        node = feed.p.store
        where = f"{node.get('component')}:{node.get('path') or node.get('url_env', 'SCALP_PG_URL')}"
    info = {"source": feed.p.source, "path": where,
            "markets": sorted(streams), "rows": stream_rows(streams),
            "events": int(sum(len(s) for s in streams.values())), "quality": feed.report.as_dict(),
            "kinds": sorted({r["kind"] for r in stream_rows(streams)})}
    if feed.p.source == "files":
        lay = feed.layout()
        info["extra_files"] = {"variants": [str(p) for p in lay.variants], "captures": [str(p) for p in lay.captures],
                               "rest": [str(p) for p in lay.rest]}
    return info


KIND_ORDER = {v: k for k, v in KIND_NAMES.items()}
