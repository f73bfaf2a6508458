"""Round trips under the configured exits: from a candidate entry at a bar close, run the bot's own exit chain
over the following bar closes and price both legs with the run's cost model (what the engine would realise)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from components.types.costs import CostModel
from components.types.orders import Position
from components.types.risk import ExitContext

MAX_HOLD_BARS = 240          # a position no exit closes within 4 h of 1m bars is marked out at that bar


@dataclass
class MarketBars:
    """One market's closed bars: close time (ms), close price, the raw bar spread estimate (fraction; NaN while
    the estimator warms up — the cost model floors it)."""
    close_ms: np.ndarray
    close: np.ndarray
    spread: np.ndarray
    moves: dict = field(default_factory=dict)     # id(cost model) -> (that model, taker move per bar)

    def taker_move(self, market: str, costs: CostModel) -> np.ndarray:
        """Adverse move of a taker at each bar's close (fraction): the cost model's spread (floored bar
        estimate), slippage, latency cost and tick rounding — the same for every fold of one run."""
        got = self.moves.get(id(costs))
        if got is None or got[0] is not costs:        # an id is only unique while its object lives
            spread = np.asarray(costs.spread_frac(market, self.close, estimate=self.spread), np.float64)
            got = self.moves[id(costs)] = (costs, np.asarray(costs.taker_move_frac(market, self.close, spread),
                                                             np.float64))
        return got[1]


@dataclass
class RoundTrips:
    """Per candidate row: mid-to-mid gross return, realised net return (fees, spread, slippage, latency,
    tick rounding), exit time (ms) and exit reason (the exit's id; "mark" when none fired)."""
    gross: np.ndarray
    net: np.ndarray
    exit_ms: np.ndarray
    reason: list


def simulate(rows: np.ndarray, row_market: np.ndarray, row_bar: np.ndarray, markets: list[str],
             bars: dict[str, MarketBars], exits: Any, costs: CostModel, market_class: str = "majors",
             latency_ms: float = 0.0, max_hold_bars: int = MAX_HOLD_BARS,
             expected: dict[str, np.ndarray] | None = None) -> RoundTrips:
    """Enter at the close of bar `row_bar[i]` of `markets[row_market[i]]` for every i in `rows`; `exits` is
    the bot's exit chain (engine.risk.exits.ExitChain, bound to `costs`), checked at each later close as the
    engine checks it on a candle feed. Entries and exits are takers priced by `costs` at that bar's spread.
    `expected` (market -> per bar, NaN = none): the model's expected further return known after each bar,
    handed to the exits at the next close as the engine does (ExitContext.expected_return)."""
    n = len(rows)
    gross, net = np.full(n, np.nan), np.full(n, np.nan)
    exit_ms = np.zeros(n, np.int64)
    reason: list = [""] * n
    ctx = ExitContext(market_class=market_class)
    fee = costs.fee_rate
    for k, r in enumerate(rows):
        name = markets[int(row_market[r])]
        b = bars[name]
        move = b.taker_move(name, costs)
        i = int(row_bar[r])
        c0 = float(b.close[i])
        if not (math.isfinite(c0) and c0 > 0):
            continue
        px_in = c0 * (1.0 + float(move[i]))
        pos = Position(name, volume=1.0 / px_in, cost_krw=1.0 + fee, entry_ts_ms=int(b.close_ms[i] + latency_ms))
        last = min(i + max_hold_bars, len(b.close) - 1)
        j, why = last, "mark"
        exp = expected.get(name) if expected else None
        for j in range(i + 1, last + 1):
            e = math.nan if exp is None else float(exp[j - 1])
            sig = exits.check(pos, float(b.close[j]), int(b.close_ms[j]),
                              ctx if e != e else ExitContext(market_class, e))
            if sig is not None:
                why = sig.reason
                break
        if j <= i:                        # the data ends at the entry bar: nothing to measure
            continue
        c1 = float(b.close[j])
        px_out = c1 * (1.0 - float(move[j]))
        gross[k] = c1 / c0 - 1.0
        net[k] = pos.volume * px_out * (1.0 - fee) / pos.cost_krw - 1.0
        exit_ms[k] = int(b.close_ms[j])
        reason[k] = why
    return RoundTrips(gross, net, exit_ms, reason)


def exit_chain(cfg: Any, costs: CostModel) -> Any:
    """The bot's exits (cfg.exits, priority order) as the engine's risk manager builds them, bound to `costs`."""
    from engine.conf import plain
    from engine.risk.exits import ExitChain
    chain = ExitChain(plain(cfg.get("exits")) if cfg is not None else {})
    chain.bind_costs(costs)
    return chain
