"""Exchanges: `sim` (in-process, tick-level) and `upbit` (REST + WebSocket)."""
