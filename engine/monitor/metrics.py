"""Prometheus metrics of one session: counters and histograms fed on the engine thread, gauges from the snapshot."""
from __future__ import annotations

from typing import Any, Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from components.types import metric_names as MN

PREFIX = "scalp"
# Histogram bucket bounds (seconds) of how long one decision took on this machine (host time, exported to
# Prometheus); not a cost of a trade: what a trade costs, latency included, comes from the cost model only.
DECISION_TIME_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
ROUND_TRIP_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
TRADING_STATES = ("ACTIVE", "REDUCING", "HALTED")
# engine metrics (components/types/metric_names.py) exported as gauges: name -> (exported name, help)
ENGINE_GAUGES = {
    MN.ZOMBIE_ORDERS: ("zombie_orders", "open orders past their TTL or unknown to the order manager"),
    MN.BALANCE_DRIFT_PCT: ("balance_drift_pct", "|exchange balance - ledger balance| / ledger, percent"),
    MN.SIM_REAL_GAP_PCT: ("sim_real_gap_pct", "|live PnL - sim PnL on the same fills| / |sim PnL|, percent"),
    MN.API_ERROR_RATE: ("api_error_rate", "failed / total REST calls in the last window (0..1)"),
    MN.API_CALLS: ("api_calls_window", "REST calls in the last window"),
    MN.STORE_ERRORS: ("store_errors", "store write errors (count)"),
    MN.INFERENCE_LATENCY_MS: ("inference_latency_p95_ms", "p95 model time per decision, ms"),
}


class SessionMetrics:
    """The metrics of one session in their own CollectorRegistry (tests and repeated sessions never collide)."""

    def __init__(self, latest: Callable[[], dict | None]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.orders = Counter(f"{PREFIX}_orders", "orders sent", ["market", "side", "purpose"], registry=r)
        self.fills = Counter(f"{PREFIX}_fills", "fills booked", ["market", "side"], registry=r)
        self.cancels = Counter(f"{PREFIX}_cancels", "orders that ended cancelled, by purpose", ["purpose"], registry=r)
        self.rejects = Counter(f"{PREFIX}_rejects", "orders refused (before sending or by the exchange), by reason",
                               ["reason"], registry=r)
        self.order_events = Counter(f"{PREFIX}_order_events", "order state changes, by event", ["event"], registry=r)
        self.decisions = Counter(f"{PREFIX}_decisions", "decisions, by action", ["action"], registry=r)
        self.decision_latency = Histogram(f"{PREFIX}_decision_latency_seconds", "model time of one decision",
                                          buckets=DECISION_TIME_BUCKETS_S, registry=r)
        self.round_trip = Histogram(f"{PREFIX}_order_round_trip_seconds",
                                    "wall time from sending an order to the first change of its state",
                                    buckets=ROUND_TRIP_BUCKETS_S, registry=r)
        r.register(_SnapshotCollector(latest))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _g(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", doc, labels=labels)


class _SnapshotCollector:
    """Gauges read from the latest snapshot at scrape time (the scrape never touches the loop itself)."""

    def __init__(self, latest: Callable[[], dict | None]) -> None:
        self.latest = latest

    def describe(self) -> list:
        return list(self._families({}))

    def collect(self) -> list:
        return list(self._families(self.latest() or {}))

    def _families(self, s: dict) -> Any:
        def one(name: str, doc: str, value: Any) -> GaugeMetricFamily:
            g = _g(name, doc)
            if value is not None:
                g.add_metric([], float(value))
            return g
        yield one("equity_krw", "account equity (cash + holdings at the last price), KRW", s.get("equity_krw"))
        yield one("cash_krw", "KRW cash (available + locked)", s.get("cash_krw"))
        yield one("realized_pnl_krw", "net PnL of closed round trips, KRW", s.get("realized_krw"))
        yield one("unrealized_pnl_krw", "open positions at the last price after the sell fee, KRW",
                  s.get("unrealized_krw"))
        yield one("session_events", "market events the session processed", s.get("events"))
        pos, expo = _g("position_volume", "held volume per market", ["market"]), \
            _g("exposure_krw", "held value per market at the last price, KRW", ["market"])
        for p in s.get("positions", []):
            pos.add_metric([p["market"]], p["volume"])
        for m, v in (s.get("exposure_krw") or {}).items():
            if v is not None:
                expo.add_metric([m], v)
        yield pos
        yield expo
        opened = _g("open_orders", "orders working on the exchange", ["market", "side"])
        counts: dict = {}
        for o in s.get("open_orders", []):
            counts[(o["market"], o["side"])] = counts.get((o["market"], o["side"]), 0) + 1
        for key, n in sorted(counts.items()):
            opened.add_metric(list(key), n)
        yield opened
        age, lag = _g("feed_age_seconds", "wall seconds since the market's last event arrived", ["market"]), \
            _g("feed_lag_seconds", "arrival wall time minus the event's exchange timestamp", ["market"])
        for m, f in ((s.get("feed") or {}).get("markets") or {}).items():
            if f.get("age_s") is not None:
                age.add_metric([m], f["age_s"])
            if f.get("lag_s") is not None:
                lag.add_metric([m], f["lag_s"])
        yield age
        yield lag
        yield one("feed_silence_seconds", "wall seconds since any market event arrived", (s.get("feed") or {}).get("age_s"))
        yield one("ws_reconnects", "WebSocket reconnects of the feed since start", (s.get("feed") or {}).get("reconnects"))
        budget = _g("upbit_remaining_req", "Upbit Remaining-Req: calls left in the current second, per group", ["group"])
        for grp, left in sorted((s.get("remaining_req") or {}).items()):
            budget.add_metric([grp], left)
        yield budget
        sw = _g("killswitch_tripped", "1 while the kill switch has a trip in force", ["switch"])
        for x in s.get("switches", []):
            sw.add_metric([x["id"]], 1.0 if x["tripped"] else 0.0)
        yield sw
        flagged = _g("market_flagged", "1 while the market takes no new entries (Upbit warning, unlisted, "
                     "suspended, delisted)", ["market", "reason"])
        for m, why in sorted((s.get("flagged_markets") or {}).items()):
            flagged.add_metric([m, why], 1.0)
        yield flagged
        st = _g("trading_state", "1 for the current trading state", ["state"])
        if s.get("trading_state"):
            for name in TRADING_STATES:
                st.add_metric([name], 1.0 if s["trading_state"] == name else 0.0)
        yield st
        met = s.get("metrics") or {}
        for key, (name, doc) in ENGINE_GAUGES.items():
            yield one(name, doc, met.get(key))


def exported_names(registry: CollectorRegistry) -> set[str]:
    """Every sample name the registry exposes (counters as *_total, histograms as *_bucket/_sum/_count)."""
    from prometheus_client.parser import text_string_to_metric_families
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    names = set()
    for fam in text_string_to_metric_families(generate_latest(registry).decode()):
        names.add(fam.name)
        names.update(fam.name + x for x in suffixes.get(fam.type, ()))
        names.update(s.name for s in fam.samples)
    return names
