"""Parity of a paper/live session with the backtest: its recorded market data replayed through `run_backtest`
with the run's stored config and seed, then decisions, fill prices and PnL compared.

Figures: identical decisions = the (market, ts, action) triples both runs made / the larger run's decision
count; fill-price gap per round trip = entry + exit price difference in bps, positive where the session
paid more than the replay (the k-th trip of a market against the replay's k-th); PnL gap = engine.live.sim_gap's
gap_pct of the two runs' net KRW (closed trips' net + open positions marked), floored at the replay's fees.
A live run's replay starts from the account's first equity snapshot (what sizing really saw); where the
exchange's acknowledgement and fill times changed what the bot could do, decisions part ways.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from engine.live.sim_gap import gap_pct
from engine.live.tape import ARTIFACT as TAPE


class ParityError(ValueError):
    """The run cannot be replayed (no tape, not a paper/live run); the message says why."""


@dataclass(frozen=True)
class Thresholds:
    """Pass marks of `scalp parity` (flags --min-identical-pct, --max-pnl-gap-pct)."""
    min_identical_pct: float = 99.0
    max_pnl_gap_pct: float = 3.0


def session_runs(store: Any) -> list[dict]:
    return [r for r in store.runs() if r.get("mode") in ("paper", "live")]


def resolve(store: Any, run: str) -> int | None:
    """`latest` = the newest paper/live run; else the id if it is one."""
    runs = session_runs(store)
    if run in ("latest", "last"):
        return max((int(r["id"]) for r in runs), default=None)
    try:
        rid = int(run)
    except ValueError:
        return None
    return rid if any(int(r["id"]) == rid for r in runs) else None


def replay_config(config: dict) -> Any:
    """The run's stored config as a backtest: simulated exchange (paper's own sim node when it had one)."""
    from omegaconf import OmegaConf
    from engine.settings import GROUPS, Settings
    known = set(Settings.model_fields) | set(GROUPS)
    node = {k: v for k, v in config.items() if k in known}     # run records kept beside it (e.g. `_process`)
    ex = node.get("exchange") or {}
    node["exchange"] = ex if isinstance(ex, dict) and ex.get("component") == "sim" else {"component": "sim"}
    node["mode"] = "backtest"
    return OmegaConf.create(node)


def tape_streams(store: Any, run_id: int) -> tuple[dict, dict]:
    art = store.load_artifact(TAPE.format(run_id=run_id))
    meta = (art or {}).get("signature") or {}
    if not meta.get("events") or meta.get("first_ms") is None:
        raise ParityError(f"run {run_id} recorded no market data (no {TAPE.format(run_id=run_id)} artifact)")
    kinds = tuple(meta.get("kinds") or ("trade", "book"))
    streams = {m: store.read_stream(m, int(meta["first_ms"]), int(meta["last_ms"]) + 1, kinds=kinds)
               for m in meta.get("markets") or []}
    return {m: s for m, s in streams.items() if len(s)}, meta


def compare(store: Any, run_id: int, thresholds: Thresholds = Thresholds()) -> dict:
    """Replay run `run_id` and compare; the dict carries every figure and `passed`."""
    import registry
    from engine.backtest import run_backtest
    run = next((r for r in store.runs() if int(r["id"]) == run_id), None)
    if run is None or run.get("mode") not in ("paper", "live"):
        raise ParityError(f"run {run_id} is not a paper/live session")
    streams, meta = tape_streams(store, run_id)
    config = dict(run.get("config") or {})
    equity = store.records("equity", run_id)
    if run.get("mode") == "live" and equity and equity[0].get("equity_krw"):
        config["initial_krw"] = float(equity[0]["equity_krw"])     # size from what the account really held
    cfg = replay_config(config)
    mem = registry.build("store", {"component": "sqlite", "path": ":memory:"}, path="store")
    timeline = FlagTimeline(meta.get("flags") or [])
    try:
        res = run_backtest(cfg, streams=streams, store=mem, write_report=False, batch=False,
                           prepare=timeline.attach)
        sim_dec = mem.records("decisions", res.run_id)
    finally:
        mem.close()
    real_dec = store.records("decisions", run_id)
    key = (lambda d: (d["market"], int(d["ts_ms"]), d["action"]))
    real_c, sim_c = Counter(map(key, real_dec)), Counter(map(key, sim_dec))
    same = sum((real_c & sim_c).values())
    total = max(len(real_dec), len(sim_dec))
    real_trades = closed_trades(store.records("positions", run_id))
    gaps = trade_gaps_bps(real_trades, res.data.trades)
    art = store.load_artifact(f"run-{run_id}") or {}
    real_sum = (art.get("signature") or {}).get("summary") or {}
    # closed trips + what is still open (marked): a live account's equity also holds money the bot never traded
    real_net = sum(float(t.get("net_krw", 0.0)) for t in real_trades) + _num(real_sum.get("unrealized_krw"))
    sim_net = sum(float(t.get("net_krw", 0.0)) for t in res.data.trades) + _num(res.summary.get("unrealized_krw"))
    pnl_gap = gap_pct([real_net], [sim_net], [float(res.summary.get("fees_krw", 0.0))])
    if not (real_dec or sim_dec):
        pnl_gap = math.nan
    identical = 100.0 * same / total if total else math.nan
    flagged = (lambda rows: sum("market.flagged" in str(d.get("reasons")) for d in rows))
    finite_gaps = [g for g in gaps if math.isfinite(g)]
    out = {"run_id": run_id, "mode": run.get("mode"), "replay_events": sum(len(s) for s in streams.values()),
           "tape": meta, "decisions_real": len(real_dec), "decisions_replay": len(sim_dec),
           "identical_decisions": same, "identical_decisions_pct": identical,
           "flag_changes": len(timeline.ts), "flagged_real": flagged(real_dec), "flagged_replay": flagged(sim_dec),
           "trades_real": len(real_trades), "trades_replay": len(res.data.trades),
           "fill_gap_bps": gaps, "fill_gap_bps_mean": sum(finite_gaps) / len(finite_gaps) if finite_gaps else math.nan,
           "fill_gap_bps_max_abs": max((abs(g) for g in finite_gaps), default=math.nan),
           "net_krw_real": real_net, "net_krw_replay": sim_net, "pnl_gap_pct": pnl_gap,
           "min_identical_pct": thresholds.min_identical_pct, "max_pnl_gap_pct": thresholds.max_pnl_gap_pct}
    out["passed"] = bool(identical >= thresholds.min_identical_pct and
                         (pnl_gap <= thresholds.max_pnl_gap_pct or (pnl_gap != pnl_gap and real_net == sim_net)))
    return out


class FlagTimeline:
    """The session's entry-refusing market flags (warning, unlisted, caution, delisted, suspended) replayed by
    event time: the replay refuses the entries the session refused (`[[from_ms, {market: why}], ...]`)."""

    def __init__(self, changes: list) -> None:
        self.ts = [int(c[0]) for c in changes]
        self.maps = [dict(c[1]) for c in changes]
        self.loop: Any = None

    def attach(self, loop: Any) -> None:
        if self.ts:
            self.loop = loop
            loop.execution.flag_source(self)

    def __call__(self) -> dict[str, str]:
        from bisect import bisect_right
        i = bisect_right(self.ts, int(self.loop.now_ms)) - 1
        return self.maps[i] if i >= 0 else {}


def _num(x) -> float:
    return float(x) if isinstance(x, (int, float)) and math.isfinite(x) else 0.0


def closed_trades(rows: list[dict]) -> list[dict]:
    """The round trips a run's position rows carry (`trade`, kept under `extra` by the store)."""
    out = []
    for r in rows:
        extra = r.get("extra") or {}
        trade = r.get("trade") or extra.get("trade")
        if (r.get("closed") or extra.get("closed")) and trade:
            out.append(trade)
    return out


def trade_gaps_bps(real: list[dict], sim: list[dict]) -> list[float]:
    """Entry + exit price gap (bps, > 0 = the session paid more) of each market's k-th trip in both runs."""
    by_market: dict[str, list[dict]] = {}
    for t in sim:
        by_market.setdefault(t["market"], []).append(t)
    seen: Counter = Counter()
    out = []
    for t in real:
        k = seen[t["market"]]
        seen[t["market"]] += 1
        twins = by_market.get(t["market"], [])
        if k >= len(twins):
            out.append(math.nan)
            continue
        s = twins[k]
        entry = 1e4 * (t["entry_price"] - s["entry_price"]) / s["entry_price"] if s["entry_price"] else math.nan
        exit_ = 1e4 * (s["exit_price"] - t["exit_price"]) / s["exit_price"] if s["exit_price"] else math.nan
        out.append(entry + exit_)
    return out
