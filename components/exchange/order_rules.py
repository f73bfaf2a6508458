"""Upbit order-request validation (UPBIT_API.md §3.3, §6, §8): combos, tick grid, precision, minimum total."""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from components.exchange.errors import reject
from components.types.tick import MIN_TOTAL, decimals_ok, fmt, on_grid, quote_currency

ORD_TYPES = ("limit", "price", "market", "best")
TIME_IN_FORCE = (None, "ioc", "fok", "post_only")


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A validated request: floats inside, units as Upbit uses them."""
    market: str
    side: str
    ord_type: str
    volume: float | None
    price: float | None
    time_in_force: str | None
    base: str
    quote: str

    @property
    def by_funds(self) -> bool:
        return self.side == "bid" and self.ord_type in ("price", "best")


def _num(value, name: str, side: str, decimals: int | None = None) -> float | None:
    """Numeric string/float -> positive float; `validation_error` names the field otherwise."""
    if value is None or value == "":
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        reject("validation_error", f"{name} does not have a valid value: {value!r}")
    if not d.is_finite() or d <= 0:
        reject("validation_error", f"{name} does not have a valid value: {value!r}")
    if decimals is not None and not decimals_ok(d, decimals):
        reject(f"invalid_volume_{side}", f"주문수량 단위를 잘못 입력하셨습니다. volume {value} has more than {decimals} decimals")
    return float(d)


def parse_request(market, side, ord_type, volume, price, time_in_force, volume_decimals: int) -> OrderRequest:
    """Check the side/type/time-in-force combination and the numbers; raise Upbit's error name."""
    if side not in ("bid", "ask"):
        reject("validation_error", "side is missing, side does not have a valid value")
    if ord_type not in ORD_TYPES:
        reject("validation_error", f"ord_type does not have a valid value: {ord_type!r} (one of {', '.join(ORD_TYPES)})")
    if time_in_force not in TIME_IN_FORCE:
        reject("validation_error", f"time_in_force does not have a valid value: {time_in_force!r}")
    if not isinstance(market, str) or "-" not in market or quote_currency(market) not in MIN_TOTAL:
        reject("market_does_not_exist", f"market does not have a valid value: {market!r}")
    vol = _num(volume, "volume", side, volume_decimals)
    px = _num(price, "price", side)
    err = f"create_{side}_error"
    if ord_type == "limit":
        if vol is None or px is None:
            reject("validation_error", "limit orders need both volume and price")
    elif ord_type == "price":
        if side != "bid":
            reject(err, "ord_type=price is a market BUY by KRW amount (side=bid)")
        if px is None or vol is not None:
            reject(err, "ord_type=price takes price (KRW to spend) and no volume")
    elif ord_type == "market":
        if side != "ask":
            reject(err, "ord_type=market is a market SELL by volume (side=ask)")
        if vol is None or px is not None:
            reject(err, "ord_type=market takes volume and no price")
    else:  # best
        if time_in_force not in ("ioc", "fok"):
            reject("validation_error", "ord_type=best needs time_in_force ioc or fok")
        if side == "bid" and (px is None or vol is not None):
            reject(err, "best bid takes price (KRW to spend) and no volume")
        if side == "ask" and (vol is None or px is not None):
            reject(err, "best ask takes volume and no price")
    if time_in_force == "post_only" and ord_type != "limit":
        reject("validation_error", "post_only is only allowed with ord_type=limit")
    if ord_type in ("price", "market") and time_in_force is not None:
        reject("validation_error", f"time_in_force is not allowed with ord_type={ord_type}")
    base, quote = market.split("-", 1)[1], quote_currency(market)
    return OrderRequest(market, side, ord_type, vol, px, time_in_force, base, quote)


def check_price_and_total(req: OrderRequest, tick: float, min_total: float, max_total: float,
                          ref_price: float) -> None:
    """Tick grid for limit prices, minimum and maximum order total (ref_price values sells by volume)."""
    side = req.side
    if req.ord_type == "limit" and not on_grid(req.price, tick):
        reject(f"invalid_price_{side}", f"주문가격 단위를 잘못 입력하셨습니다. price {fmt(req.price)} is not a "
                                         f"multiple of the tick {fmt(tick)}")
    if req.ord_type == "limit":
        total = req.price * req.volume
    elif req.by_funds:
        total = req.price
    else:
        total = req.volume * ref_price if math.isfinite(ref_price) else math.inf
    if total < min_total:
        reject(f"under_min_total_{side}", f"최소주문금액 이상으로 주문해주세요. total {fmt(total)} < {fmt(min_total)}")
    if side == "bid" and total > max_total:
        reject("over_krw_funds_bid", f"order total {fmt(total)} is over the maximum {fmt(max_total)}")
