"""Shared vocabulary of components and engine: market events, orders, fills, positions, metrics."""
from components.types.events import (ASK, BID, BOOK, CANDLE, TRADE, BookBatch, BookSnapshot, Candle,
                                     CandleBatch, Trade, TradeBatch, merge_order)
from components.types.orders import Fill, OrderIntent, Position
from components.types.metrics import Metrics

__all__ = ["ASK", "BID", "BOOK", "CANDLE", "TRADE", "BookBatch", "BookSnapshot", "Candle", "CandleBatch",
           "Fill", "Metrics", "OrderIntent", "Position", "Trade", "TradeBatch", "merge_order"]
