"""HTML report of a run: `write_report` from a finished backtest, `rebuild` from the store (`scalp report`)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from engine.ledger import RunData


def write_report(data: RunData, summary: dict, path: str | Path) -> Path:
    """Render and write the self-contained report; returns its absolute path."""
    from engine.report.html import render
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data, summary), encoding="utf-8")
    return path.resolve()


def resolve_run(store: Any, run: str) -> int | None:
    """`latest` or a run id -> the run id present in the store (None if absent)."""
    ids = [int(r["id"]) for r in store.runs()]
    if not ids:
        return None
    if run in ("latest", "last", ""):
        return max(ids)
    try:
        rid = int(run)
    except ValueError:
        return None
    return rid if rid in ids else None


def load_run(store: Any, run_id: int) -> RunData:
    """Rebuild a run's RunData from the store: equity, fills, closed trades, trips, decisions, prices."""
    art = store.load_artifact(f"run-{run_id}") or {}
    sig = art.get("signature") or {}
    run = next(r for r in store.runs() if int(r["id"]) == run_id)
    cfg = run.get("config") or {}
    meta = dict(sig.get("meta") or {"run_id": run_id, "name": run.get("name")})
    meta.setdefault("config", cfg)
    markets = list(meta.get("markets") or cfg.get("markets") or [])
    data = RunData(initial_krw=float(cfg.get("initial_krw", 0.0) or 0.0), markets=markets)
    for row in store.records("equity", run_id):
        data.equity.append({"ts_ms": int(row["ts_ms"]), "equity_krw": float(row["equity_krw"]),
                            "position_krw": float(row.get("position_krw") or 0.0), "held": {}})
    for row in store.records("fills", run_id):
        data.fills.append({k: row[k] for k in ("market", "side", "price", "volume", "fee_krw", "ts_ms", "maker")})
    for row in store.records("positions", run_id):
        extra = row.get("extra") or {}
        if extra.get("trade"):
            data.trades.append(extra["trade"])
    data.trips = list(sig.get("trips") or [])
    if not data.trips:
        data.trips = [{"ts_ms": r["ts_ms"], "switch": r["switch"], "action": r["action"], "market": "",
                       "reason": _trip_text(r["reason"])} for r in store.records("trips", run_id)]
    counts: Counter = Counter()
    for row in store.records("decisions", run_id):
        counts[(row["market"], row["action"])] += 1
        px = (row.get("features") or {}).get("_mark_price")
        if px is not None:
            data.prices.setdefault(row["market"], []).append((int(row["ts_ms"]), float(px)))
    data.decisions = counts
    _held_from_trades(data)
    data.quality = dict(sig.get("quality") or {})
    data.sections = dict(sig.get("sections") or {})
    data.meta = meta
    for t in data.trades:
        for k in ("entry_price", "exit_price"):
            if t.get(k) is None:
                t[k] = float("nan")
    return data


def _held_from_trades(data: RunData) -> None:
    """Per-market exposure for a rebuilt run: a market is held at an equity sample inside one of its trades."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for t in data.trades:
        spans.setdefault(t["market"], []).append((int(t["entry_ts_ms"]), int(t["exit_ts_ms"])))
    for row in data.equity:
        ts = row["ts_ms"]
        row["held"] = {m: 1.0 for m, ss in spans.items() if any(a <= ts < b for a, b in ss)}


def rebuild(store: Any, run_id: int, path: str | Path) -> tuple[Path, dict]:
    from engine.summary import compute
    data = load_run(store, run_id)
    summary = compute(data)
    return write_report(data, summary, path), summary


def _trip_text(reason: str) -> str:
    """Trip rows written by the risk manager hold JSON with the human text under "text"."""
    import json
    try:
        return str(json.loads(reason).get("text", reason))
    except (ValueError, AttributeError):
        return reason
