"""Replayed market state behind the server: trade history, latest books, ticker stats, Upbit message shapes."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from components.types.events import ASK, BID, BookSnapshot, Trade
from components.types.upbit.market_state import CAUTION_KEYS

KOREAN_NAMES = {"BTC": "비트코인", "ETH": "이더리움", "XRP": "리플", "SOL": "솔라나", "ADA": "에이다"}


def _utc(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc)


def _kst(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000 + 9 * 3600, tz=timezone.utc)


@dataclass
class Stats:
    """Per-market ticker state since the replay's UTC day began (Upbit's day boundary is UTC 00:00)."""
    day: str = ""
    prev_close: float = 0.0
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    last: float = 0.0
    last_volume: float = 0.0
    last_side: int = BID
    last_ts: int = 0
    acc_volume: float = 0.0
    acc_price: float = 0.0
    acc_ask: float = 0.0
    acc_bid: float = 0.0
    history: deque = field(default_factory=lambda: deque(maxlen=20_000))


class MarketState:
    """What the exchange knows now: applied in event order by the replayer."""

    def __init__(self, source_kind: str, synthetic: bool, markets: list[str], names: dict | None = None,
                 history_trades: int = 20_000) -> None:
        self.source = {"kind": source_kind, "synthetic": synthetic}
        self.markets = sorted(markets)
        self.names = names or {}
        self.history_trades = history_trades
        self.stats: dict[str, Stats] = {m: self._stats() for m in self.markets}
        self.books: dict[str, BookSnapshot] = {}
        self.book_ts: dict[str, int] = {}
        self.now_ms = 0
        self.warned: set[str] = set()        # markets flagged 투자유의 (the server's market_warnings knob)
        self.suspended: set[str] = set()     # tickers say is_trading_suspended (suspended_markets)
        self.delisted: set[str] = set()      # tickers say market_state DELISTED + a delisting_date (delisted_markets)
        self.cautions: dict[str, set[str]] = {}   # market -> market_event.caution kinds set (market_cautions)

    def _stats(self) -> Stats:
        return Stats(history=deque(maxlen=self.history_trades))

    # ---- apply -----------------------------------------------------------------------------
    def apply(self, ev) -> None:
        self.now_ms = max(self.now_ms, ev.ts_ms)
        if isinstance(ev, Trade):
            st = self.stats.get(ev.market) or self.stats.setdefault(ev.market, self._stats())
            day = _utc(ev.ts_ms).strftime("%Y%m%d")
            if day != st.day:
                st.prev_close = st.last or ev.price
                st.day, st.open, st.high, st.low = day, ev.price, ev.price, ev.price
                st.acc_volume = st.acc_price = st.acc_ask = st.acc_bid = 0.0
            st.high, st.low = max(st.high, ev.price), min(st.low, ev.price)
            st.last, st.last_volume, st.last_side, st.last_ts = ev.price, ev.volume, ev.side, ev.ts_ms
            st.acc_volume += ev.volume
            st.acc_price += ev.volume * ev.price
            if ev.side == ASK:
                st.acc_ask += ev.volume
            else:
                st.acc_bid += ev.volume
            st.history.append(ev)
        elif isinstance(ev, BookSnapshot):
            self.books[ev.market] = ev
            self.book_ts[ev.market] = ev.ts_ms

    # ---- Upbit shapes (DEFAULT names; quotation numbers are JSON numbers) --------------------
    def _change(self, st: Stats, price: float) -> tuple[str, float, float]:
        diff = price - st.prev_close
        change = "RISE" if diff > 0 else ("FALL" if diff < 0 else "EVEN")
        rate = diff / st.prev_close if st.prev_close else 0.0
        return change, diff, rate

    def trade_msg(self, t: Trade, stream_type: str = "REALTIME") -> dict:
        st = self.stats[t.market]
        change, diff, _ = self._change(st, t.price)
        d = _utc(t.ts_ms)
        msg = {"type": "trade", "code": t.market, "timestamp": max(t.ts_ms, self.now_ms),
               "trade_date": d.strftime("%Y-%m-%d"), "trade_time": d.strftime("%H:%M:%S"),
               "trade_timestamp": t.ts_ms, "trade_price": t.price, "trade_volume": t.volume,
               "ask_bid": "BID" if t.side == BID else "ASK", "prev_closing_price": st.prev_close,
               "change": change, "change_price": abs(diff), "sequential_id": t.seq}
        book = self.books.get(t.market)
        if book is not None:
            msg.update(best_ask_price=float(book.ask_px[0]), best_ask_size=float(book.ask_sz[0]),
                       best_bid_price=float(book.bid_px[0]), best_bid_size=float(book.bid_sz[0]))
        msg["stream_type"] = stream_type
        msg["scalp_source"] = self.source
        return msg

    def rest_trade(self, t: Trade) -> dict:
        st = self.stats[t.market]
        d = _utc(t.ts_ms)
        return {"market": t.market, "trade_date_utc": d.strftime("%Y-%m-%d"), "trade_time_utc": d.strftime("%H:%M:%S"),
                "timestamp": t.ts_ms, "trade_price": t.price, "trade_volume": t.volume,
                "prev_closing_price": st.prev_close, "change_price": t.price - st.prev_close,
                "ask_bid": "BID" if t.side == BID else "ASK", "sequential_id": t.seq, "scalp_source": self.source}

    def orderbook(self, market: str, levels: int = 30) -> dict | None:
        b = self.books.get(market)
        if b is None:
            return None
        n = min(levels, len(b.bid_px), len(b.ask_px))
        units = [{"ask_price": float(b.ask_px[i]), "bid_price": float(b.bid_px[i]), "ask_size": float(b.ask_sz[i]),
                  "bid_size": float(b.bid_sz[i])} for i in range(n)]
        return {"market": market, "timestamp": max(b.ts_ms, self.now_ms),
                "total_ask_size": float(np.sum(b.ask_sz[:n])), "total_bid_size": float(np.sum(b.bid_sz[:n])),
                "orderbook_units": units, "level": 0, "scalp_source": self.source}

    def book_msg(self, market: str, stream_type: str = "REALTIME", levels: int = 30) -> dict | None:
        ob = self.orderbook(market, levels)
        if ob is None:
            return None
        src = ob.pop("scalp_source")
        ob["code"] = ob.pop("market")
        return {"type": "orderbook", **ob, "stream_type": stream_type, "scalp_source": src}

    def ticker(self, market: str) -> dict | None:
        st = self.stats.get(market)
        if st is None or not st.last_ts:
            return None
        change, diff, rate = self._change(st, st.last)
        d, k = _utc(st.last_ts), _kst(st.last_ts)
        return {"market": market, "trade_date": d.strftime("%Y%m%d"), "trade_time": d.strftime("%H%M%S"),
                "trade_date_kst": k.strftime("%Y%m%d"), "trade_time_kst": k.strftime("%H%M%S"),
                "trade_timestamp": st.last_ts, "opening_price": st.open, "high_price": st.high,
                "low_price": st.low, "trade_price": st.last, "prev_closing_price": st.prev_close,
                "change": change, "change_price": abs(diff), "change_rate": abs(rate),
                "signed_change_price": diff, "signed_change_rate": rate, "trade_volume": st.last_volume,
                "acc_trade_price": st.acc_price, "acc_trade_price_24h": st.acc_price,
                "acc_trade_volume": st.acc_volume, "acc_trade_volume_24h": st.acc_volume,
                "highest_52_week_price": st.high, "highest_52_week_date": d.strftime("%Y-%m-%d"),
                "lowest_52_week_price": st.low, "lowest_52_week_date": d.strftime("%Y-%m-%d"),
                "timestamp": max(st.last_ts, self.now_ms), "scalp_source": self.source}

    def ticker_msg(self, market: str, stream_type: str = "REALTIME") -> dict | None:
        t = self.ticker(market)
        if t is None:
            return None
        st = self.stats[market]
        src = t.pop("scalp_source")
        for k in ("trade_date_kst", "trade_time_kst"):
            t.pop(k)
        t["code"] = t.pop("market")
        return {"type": "ticker", **t, "ask_bid": "BID" if st.last_side == BID else "ASK",
                "acc_ask_volume": st.acc_ask, "acc_bid_volume": st.acc_bid,
                **self.trading_state(market),
                "market_warning": "CAUTION" if market in self.warned else "NONE",
                "stream_type": stream_type, "scalp_source": src}

    def trading_state(self, market: str) -> dict:
        """The ticker's trading-state fields from the server's knobs. A delisted market's date is the replay's
        UTC day (Upbit's format for it is not documented; a yyyy-MM-dd string is assumed). It stays in
        market/all so a session learns it from the ticker (a market missing there is the `unlisted` path)."""
        delisted = market in self.delisted
        return {"market_state": "DELISTED" if delisted else "ACTIVE",
                "is_trading_suspended": market in self.suspended,
                "delisting_date": _utc(self.now_ms).strftime("%Y-%m-%d") if delisted else None}

    def market_all(self, details: bool) -> list[dict]:
        out = []
        for m in self.markets:
            base = m.split("-", 1)[1]
            kn, en = self.names.get(m, (KOREAN_NAMES.get(base, base), base))
            row = {"market": m, "korean_name": kn, "english_name": en}
            if details:
                set_ = self.cautions.get(m, ())
                row["market_event"] = {"warning": m in self.warned,
                                       "caution": {k: k in set_ for k in CAUTION_KEYS}}
            out.append(row)
        return out
