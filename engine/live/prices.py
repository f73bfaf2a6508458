"""Start prices of held markets over REST, so a restarted session values its holdings before risk runs."""
from __future__ import annotations

import json
import logging
import math
from typing import Any

log = logging.getLogger("scalp.live")


def fetch_prices(rest: Any, bridge: Any, markets: list[str], timeout_s: float = 5.0) -> dict[str, float]:
    """Last trade price per market from the client's ticker call (`GET /v1/ticker`); markets the reply lacks
    (the local server answers [] before a market's first trade) are left out."""
    rows = bridge.call(rest.ticker(list(markets)), timeout_s) or []
    out: dict[str, float] = {}
    for row in rows:
        try:
            market, px = str(row["market"]), float(row["trade_price"])
        except (KeyError, TypeError, ValueError):
            continue
        if market in markets and math.isfinite(px) and px > 0:
            out[market] = px
    return out


def public_client(cfg: Any) -> Any:
    """Paper mode has no exchange client: the quotation endpoints of the feed's REST host (no keys needed)."""
    import registry
    from engine.conf import plain
    url = (plain(cfg.get("feed")) or {}).get("rest_url") or "https://api.upbit.com"
    return registry.build("exchange", {"component": "upbit", "base_url": url}, path="feed.rest_url")


def price_holdings(loop: Any, bridge: Any, rest: Any = None, cfg: Any = None, timeout_s: float = 5.0) -> dict:
    """Fetch and seed the price of every held market the loop cannot price yet (call once at start, after the
    positions are known). `rest`: the live client; None builds the public one of `cfg` (paper). A failure is
    logged, never raised: the equity switches then keep waiting until the feed prices those markets.
    Returns {"prices": {market: price}, "missing": [markets still unpriced]}."""
    need = list(loop.unpriced())
    if not need:
        return {"prices": {}, "missing": []}
    own = rest is None
    prices: dict[str, float] = {}
    try:
        if own:
            rest = public_client(cfg)
        prices = fetch_prices(rest, bridge, need, timeout_s)
    except Exception as e:  # noqa: BLE001  no price yet is a wait, not a failure of the session
        log.warning(json.dumps({"event": "start_prices_failed", "markets": need,
                                "error": f"{type(e).__name__}: {e}"[:300]}))
    finally:
        if own and rest is not None and hasattr(rest, "close"):
            try:
                bridge.call(rest.close(), timeout_s)
            except Exception:  # noqa: BLE001  closing a client that never connected
                pass
    loop.seed_prices(prices)
    missing = list(loop.unpriced())
    log.info(json.dumps({"event": "start_prices", "prices": prices, "missing": missing}))
    return {"prices": prices, "missing": missing}
