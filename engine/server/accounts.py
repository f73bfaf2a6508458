"""Accounts of the local server: one SimExchange per key pair (the one matching engine) + private-stream diffs."""
from __future__ import annotations

import copy
import uuid as uuidlib

from components.types.upbit import errors as E


class Account:
    """A key pair's simulated exchange; `poll()` turns order/balance changes into myOrder/myAsset messages."""

    def __init__(self, access_key: str, exchange) -> None:
        self.access_key = access_key
        self.ex = exchange
        self._seen: dict[str, tuple[str, int]] = {}     # uuid -> (state, trades seen)
        self._assets: dict[str, tuple[str, str]] = {}
        self._watch: set[str] = set()                   # uuids open at the last poll

    # ---- orders ----------------------------------------------------------------------------
    def create(self, p: dict, now_ms: int, test: bool = False) -> dict:
        kwargs = dict(volume=p.get("volume"), price=p.get("price"), time_in_force=p.get("time_in_force") or None,
                      identifier=p.get("identifier"), ts_ms=now_ms)
        for req in ("market", "side", "ord_type"):
            if not p.get(req):
                raise E.ERRORS["validation_error"](f"{req} is missing", 400)
        if test:
            # Validate on a throwaway copy: /v1/orders/test must not lock funds or burn the identifier.
            o = copy.deepcopy(self.ex).create_order(p["market"], p["side"], p["ord_type"], **kwargs)
            d = o.to_upbit()
            d["uuid"] = str(uuidlib.uuid4())
            return d
        o = self.ex.create_order(p["market"], p["side"], p["ord_type"], **kwargs)
        self._watch.add(o.uuid)      # it may fill completely before the next poll
        self.ex.advance(now_ms)
        return o.to_upbit()

    def get(self, p: dict) -> dict:
        uuid, ident = p.get("uuid"), p.get("identifier")
        if not (uuid or ident):
            raise E.ERRORS["validation_error"]("uuid or identifier is required", 400)
        return self.ex.get_order(uuid=uuid, identifier=ident).to_upbit(trades=True)

    def cancel(self, p: dict, now_ms: int) -> dict:
        uuid, ident = p.get("uuid"), p.get("identifier")
        if not (uuid or ident):
            raise E.ERRORS["validation_error"]("uuid or identifier is required", 400)
        # Upbit answers the order as accepted for cancel (still `wait`); it flips to `cancel` right after.
        before = self.ex.get_order(uuid=uuid, identifier=ident)
        reply = before.to_upbit()
        self.ex.cancel_order(uuid=before.uuid, ts_ms=now_ms)
        self.ex.advance(now_ms)
        return reply

    def _all(self) -> list:
        return list(self.ex.open_orders()) + list(self.ex.closed_orders())

    def open_orders(self, p: dict) -> list[dict]:
        states = p.get("states[]") or ([p["state"]] if p.get("state") else ["wait", "watch"])
        rows = [o for o in self.ex.open_orders(p.get("market")) if o.state in states]
        return self._page(rows, p, default_limit=100)

    def closed_orders(self, p: dict) -> list[dict]:
        states = p.get("states[]") or ([p["state"]] if p.get("state") else ["done", "cancel"])
        rows = [o for o in self.ex.closed_orders(p.get("market")) if o.state in states]
        return self._page(rows, p, default_limit=100)

    def by_ids(self, p: dict) -> list[dict]:
        uuids, idents = p.get("uuids[]") or [], p.get("identifiers[]") or []
        if not (uuids or idents):
            raise E.ERRORS["validation_error"]("uuids[] or identifiers[] is required", 400)
        rows = [o for o in self._all() if o.uuid in uuids or (o.identifier and o.identifier in idents)]
        if p.get("market"):
            rows = [o for o in rows if o.market == p["market"]]
        return self._page(rows, p, default_limit=100)

    @staticmethod
    def _page(rows: list, p: dict, default_limit: int) -> list[dict]:
        rows = sorted(rows, key=lambda o: o.created_ms, reverse=p.get("order_by", "desc") != "asc")
        limit = int(p.get("limit") or default_limit)
        page = max(1, int(p.get("page") or 1))
        return [o.to_upbit() for o in rows[(page - 1) * limit: page * limit]]

    def cancel_many(self, orders: list, now_ms: int) -> dict:
        ok, failed = [], []
        for o in orders:
            item = {"uuid": o.uuid, "market": o.market, "identifier": o.identifier}
            try:
                if o.state != "wait":
                    raise E.OrderNotFound("order is not open", 404)
                self.ex.cancel_order(uuid=o.uuid, ts_ms=now_ms)
                ok.append(item)
            except E.UpbitError:
                failed.append(item)
        self.ex.advance(now_ms)
        return {"success": {"count": len(ok), "orders": ok}, "failed": {"count": len(failed), "orders": failed}}

    def cancel_by_ids(self, p: dict, now_ms: int) -> dict:
        uuids, idents = p.get("uuids[]") or [], p.get("identifiers[]") or []
        if bool(uuids) == bool(idents):
            raise E.ERRORS["validation_error"]("give uuids[] or identifiers[] (not both)", 400)
        rows = [o for o in self._all() if o.uuid in uuids or (o.identifier and o.identifier in idents)]
        return self.cancel_many(rows[:20], now_ms)

    def cancel_open(self, p: dict, now_ms: int) -> dict:
        side = p.get("cancel_side") or "all"
        pairs = [x for x in (p.get("pairs") or "").split(",") if x]
        excluded = [x for x in (p.get("excluded_pairs") or "").split(",") if x]
        quotes = [x for x in (p.get("quote_currencies") or "").split(",") if x]
        rows = [o for o in self.ex.open_orders() if (side == "all" or o.side == side)
                and (not pairs or o.market in pairs) and o.market not in excluded
                and (not quotes or o.market.split("-")[0] in quotes)]
        rows.sort(key=lambda o: o.created_ms, reverse=p.get("order_by", "desc") != "asc")
        return self.cancel_many(rows[:min(300, int(p.get("count") or 20))], now_ms)

    def cancel_and_new(self, p: dict, now_ms: int) -> dict:
        if not p.get("new_ord_type"):
            raise E.ERRORS["validation_error"]("new_ord_type is missing", 400)
        prev = self.ex.get_order(uuid=p.get("prev_order_uuid"), identifier=p.get("prev_order_identifier"))
        reply = prev.to_upbit()        # Upbit answers with the previous order as it was before the cancel
        _, new = self.ex.cancel_and_new(prev_uuid=prev.uuid, new_ord_type=p["new_ord_type"],
                                        new_volume=p.get("new_volume"), new_price=p.get("new_price"),
                                        new_identifier=p.get("new_identifier"),
                                        new_time_in_force=p.get("new_time_in_force") or None, ts_ms=now_ms)
        self._watch.add(new.uuid)
        self.ex.advance(now_ms)
        reply.update(new_order_uuid=new.uuid, new_order_identifier=new.identifier)
        return reply

    # ---- private stream --------------------------------------------------------------------
    def poll(self, now_ms: int) -> list[dict]:
        """myOrder messages for new trades/state changes and one myAsset for changed balances (DEFAULT names)."""
        out: list[dict] = []
        # Only orders open now or at the last poll can change: O(open orders), not O(history).
        current = {o.uuid: o for o in self.ex.open_orders()}
        for uuid in self._watch - current.keys():
            current[uuid] = self.ex.get_order(uuid=uuid)
        for o in current.values():
            state, ntr = self._seen.get(o.uuid, (None, 0))
            for tr in o.trades[ntr:]:
                out.append(self._my_order(o, now_ms, "trade", tr))
            if o.state != state:
                out.append(self._my_order(o, now_ms, o.state, None))
            if o.state in ("wait", "watch"):
                self._seen[o.uuid] = (o.state, len(o.trades))
            else:
                self._seen.pop(o.uuid, None)
        self._watch = {u for u, o in current.items() if o.state in ("wait", "watch")}
        assets = {a["currency"]: (a["balance"], a["locked"]) for a in self.ex.accounts()}
        changed = [c for c in assets if self._assets.get(c) != assets[c]] + \
                  [c for c in self._assets if c not in assets]
        if changed and self._assets:
            out.append({"type": "myAsset", "asset_uuid": str(uuidlib.uuid4()),
                        "assets": [{"currency": c, "balance": float(assets.get(c, ("0", "0"))[0]),
                                    "locked": float(assets.get(c, ("0", "0"))[1])} for c in changed],
                        "asset_timestamp": now_ms, "timestamp": now_ms, "stream_type": "REALTIME"})
        self._assets = assets
        return out

    @staticmethod
    def _my_order(o, now_ms: int, state: str, tr: dict | None) -> dict:
        f = lambda x: None if x is None else float(x)  # noqa: E731  myOrder numbers are JSON numbers
        price = f(tr["price"]) if tr else f(o.price)
        return {"type": "myOrder", "code": o.market, "uuid": o.uuid, "ask_bid": o.side.upper(),
                "order_type": o.ord_type, "state": state, "trade_uuid": tr["uuid"] if tr else None,
                "price": price, "avg_price": o.avg_price, "volume": f(tr["volume"]) if tr else f(o.volume),
                "remaining_volume": f(o.remaining_volume), "executed_volume": o.executed_volume,
                "trades_count": len(o.trades), "reserved_fee": o.reserved_fee, "remaining_fee": o.remaining_fee,
                "paid_fee": o.paid_fee, "locked": o.locked, "executed_funds": o.executed_funds,
                "time_in_force": o.time_in_force,
                "trade_fee": float(tr["funds"]) * o.fee_rate if tr else None, "is_maker": None,
                "identifier": o.identifier, "smp_type": None, "prevented_volume": 0, "prevented_locked": 0,
                "trade_timestamp": now_ms if tr else None, "order_timestamp": o.created_ms, "timestamp": now_ms,
                "stream_type": "REALTIME"}
