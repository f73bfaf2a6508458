"""Orders, fills and positions in Upbit terms: side bid/ask, ord_type limit/price/market/best (KRW)."""
from __future__ import annotations

from dataclasses import dataclass, field

MIN_ORDER_KRW = 5_000.0    # Upbit minimum order total on KRW markets


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """What the strategy wants sent; the order manager turns it into an exchange order.

    side: "bid" (buy) | "ask" (sell). ord_type: "limit" | "price" (market buy by KRW) | "market"
    (market sell by volume) | "best". time_in_force: None | "ioc" | "fok" | "post_only".
    """
    market: str
    side: str
    ord_type: str
    volume: float | None = None
    price: float | None = None          # limit price, or KRW amount for ord_type="price"
    time_in_force: str | None = None
    reason: str = ""
    identifier: str | None = None


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution (an Upbit `trade` of an order): price, volume, fee in KRW."""
    market: str
    order_uuid: str
    side: str
    price: float
    volume: float
    fee_krw: float
    ts_ms: int
    maker: bool = False
    # What this taker fill paid against the mid (book) or last price (no book), in KRW: half the spread, the
    # slippage + latency move, and the rounding to the tick grid. Makers and live fills leave them 0 (unknown).
    spread_krw: float = 0.0
    slippage_krw: float = 0.0
    tick_krw: float = 0.0

    @property
    def funds_krw(self) -> float:
        return self.price * self.volume


@dataclass(slots=True)
class Position:
    """A long position built from actual fills; cost includes buy fees so PnL is net of both legs."""
    market: str
    volume: float = 0.0
    cost_krw: float = 0.0            # Σ buy notional + buy fees of the open volume
    entry_ts_ms: int = 0
    fees_krw: float = 0.0
    realized_krw: float = 0.0
    peak_return: float = 0.0         # best unrealised net return seen (for trailing exits)
    meta: dict = field(default_factory=dict)

    @property
    def avg_price(self) -> float:
        """Average entry price including buy fees, per unit."""
        return self.cost_krw / self.volume if self.volume > 0 else 0.0

    def net_return(self, price: float, fee_rate: float) -> float:
        """Return if the whole position were sold at `price` now, net of the sell fee (buy fee in cost);
        `fee_rate` is the cost model's (components/types/costs.py)."""
        if self.volume <= 0 or self.cost_krw <= 0:
            return 0.0
        return (self.volume * price * (1.0 - fee_rate)) / self.cost_krw - 1.0

    def apply(self, fill: Fill) -> float:
        """Book a fill exactly (partial fills averaged); returns realised net KRW of a sell fill."""
        if fill.side == "bid":
            if self.volume <= 0:
                self.entry_ts_ms = fill.ts_ms
                self.peak_return = 0.0
            self.volume += fill.volume
            self.cost_krw += fill.funds_krw + fill.fee_krw
            self.fees_krw += fill.fee_krw
            return 0.0
        vol = min(fill.volume, self.volume)
        cost_part = self.cost_krw * (vol / self.volume) if self.volume > 0 else 0.0
        proceeds = fill.price * vol - fill.fee_krw
        self.volume -= vol
        self.cost_krw -= cost_part
        self.fees_krw += fill.fee_krw
        if self.volume <= 1e-12:
            self.volume, self.cost_krw = 0.0, 0.0
        pnl = proceeds - cost_part
        self.realized_krw += pnl
        return pnl
