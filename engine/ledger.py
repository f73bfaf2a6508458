"""Run ledger: round-trip trades from fills, equity curve, trips and counters — what summaries and reports read."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from components.types.orders import Fill, Position


@dataclass
class RunData:
    """Everything the summary and the HTML report need, from a live loop or rebuilt from the store."""
    initial_krw: float
    markets: list[str]
    equity: list[dict] = field(default_factory=list)      # ts_ms, equity_krw, cash_krw, position_krw
    trades: list[dict] = field(default_factory=list)      # closed round trips (see Ledger.on_fill)
    fills: list[dict] = field(default_factory=list)       # market, side, price, volume, fee_krw, ts_ms, maker
    trips: list[dict] = field(default_factory=list)       # ts_ms, switch, action, market, reason
    decisions: Counter = field(default_factory=Counter)   # (market, action) -> count
    open_positions: list[dict] = field(default_factory=list)
    quality: dict = field(default_factory=dict)           # feed QualityReport counts
    prices: dict = field(default_factory=dict)            # market -> [(ts_ms, price)] (downsampled)
    meta: dict = field(default_factory=dict)              # run_id, name, events, wall_s, config choices ...
    sections: dict = field(default_factory=dict)          # extra report sections from towers (calibration, ...)


def _add_costs(t: dict, f: Fill) -> None:
    """The taker costs the exchange reported for this fill (0 where it does not know them)."""
    t["spread_krw"] += f.spread_krw
    t["slippage_krw"] += f.slippage_krw
    t["tick_krw"] += f.tick_krw


class Ledger:
    """Books every fill into round trips (entry -> flat), exactly and net of both fees."""

    def __init__(self, markets: list[str], initial_krw: float) -> None:
        self.data = RunData(initial_krw=initial_krw, markets=list(markets))
        self._open: dict[str, dict] = {}
        self._expected: dict[str, float] = {}     # market -> the entry rule's expected net return of the next entry

    def expect(self, market: str, expected_net: float) -> None:
        """The entry rule's expected net return (fraction, after costs) of the entry about to be sent; the trade
        it opens carries it as `predicted_net_return` (NaN where the rule predicts none)."""
        self._expected[market] = float(expected_net)

    def on_fill(self, pos: Position, f: Fill, exit_reason: str = "") -> dict | None:
        """Apply `f` to `pos`; returns the closed trade when the position went flat."""
        d = self.data
        d.fills.append({"market": f.market, "side": f.side, "price": f.price, "volume": f.volume,
                        "fee_krw": f.fee_krw, "ts_ms": f.ts_ms, "maker": f.maker})
        t = self._open.get(f.market)
        if f.side == "bid":
            if t is None or pos.volume <= 0:
                t = self._open[f.market] = self._new_trip(f.market, f.ts_ms)
            pos.apply(f)
            _add_costs(t, f)
            t["buy_krw"] += f.funds_krw
            t["buy_fee_krw"] += f.fee_krw
            t["buy_volume"] += f.volume
            return None
        pos.apply(f)
        if t is None:          # a sell without a booked entry (e.g. restored state): nothing to close
            return None
        _add_costs(t, f)
        t["sell_krw"] += f.funds_krw
        t["sell_fee_krw"] += f.fee_krw
        t["sell_volume"] += f.volume
        if pos.volume > 0:
            return None
        return self._close(f.market, f.ts_ms, exit_reason)

    def _new_trip(self, market: str, ts_ms: int) -> dict:
        return {"market": market, "entry_ts_ms": ts_ms, "buy_krw": 0.0, "buy_fee_krw": 0.0, "buy_volume": 0.0,
                "sell_krw": 0.0, "sell_fee_krw": 0.0, "sell_volume": 0.0, "spread_krw": 0.0, "slippage_krw": 0.0,
                "tick_krw": 0.0, "predicted_net_return": self._expected.pop(market, math.nan)}

    def resume(self, pos: Position) -> None:
        """An open position rebuilt at a restart: its round trip opens here, its cost (buy fees included) as
        the buy side, so the exit closes it net of both fees."""
        t = self._open[pos.market] = self._new_trip(pos.market, pos.entry_ts_ms)
        t.update(buy_krw=pos.cost_krw, buy_volume=pos.volume, resumed=True)

    def _close(self, market: str, ts_ms: int, reason: str, dust_krw: float = 0.0) -> dict:
        t = self._open.pop(market)
        cost = t["buy_krw"] + t["buy_fee_krw"]
        proceeds = t["sell_krw"] - t["sell_fee_krw"] + dust_krw
        t.update(exit_ts_ms=ts_ms, exit_reason=reason, dust_krw=dust_krw,
                 entry_price=t["buy_krw"] / t["buy_volume"] if t["buy_volume"] > 0 else math.nan,
                 exit_price=t["sell_krw"] / t["sell_volume"] if t["sell_volume"] > 0 else math.nan,
                 gross_krw=t["sell_krw"] + dust_krw - t["buy_krw"], fees_krw=t["buy_fee_krw"] + t["sell_fee_krw"],
                 net_krw=proceeds - cost, net_return=(proceeds - cost) / cost if cost > 0 else 0.0,
                 hold_ms=ts_ms - t["entry_ts_ms"],
                 spread_slippage_krw=t["spread_krw"] + t["slippage_krw"] + t["tick_krw"])
        self.data.trades.append(t)
        return t

    def write_off_dust(self, pos: Position, ts_ms: int, price: float, fee_rate: float, reason: str) -> dict | None:
        """A remainder below the exchange minimum cannot be sold: close the trade, valuing it at `price`."""
        if pos.market not in self._open:
            return None
        dust = pos.volume * price * (1.0 - fee_rate)
        return self._close(pos.market, ts_ms, f"{reason}+dust", dust_krw=dust)

    def on_decision(self, market: str, action: str) -> None:
        self.data.decisions[(market, action)] += 1

    def on_equity(self, ts_ms: int, equity: float, held: dict[str, float]) -> None:
        self.data.equity.append({"ts_ms": ts_ms, "equity_krw": equity, "position_krw": sum(held.values()),
                                 "held": {m: v for m, v in held.items() if v > 0}})

    def on_trip(self, trip: Any, ts_ms: int) -> None:
        self.data.trips.append({"ts_ms": ts_ms, "switch": trip.switch, "action": trip.action,
                                "market": trip.market, "reason": trip.reason})

    def finish(self, positions: dict[str, Position], last_px: dict[str, float], fee_rate: float, ts_ms: int) -> None:
        """Positions still open at the end are reported (marked to market), not counted as trades."""
        for m, pos in positions.items():
            if pos.volume > 0:
                px = last_px.get(m, math.nan)
                self.data.open_positions.append({"market": m, "volume": pos.volume, "cost_krw": pos.cost_krw,
                                                 "mark_price": px, "unrealized_krw": pos.volume * px * (1 - fee_rate)
                                                 - pos.cost_krw if math.isfinite(px) else math.nan})
