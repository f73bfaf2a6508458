"""Feeds: where market events come from (recorded files, a store, a live WebSocket)."""
