"""Local Upbit-compatible exchange server: Upbit REST + WebSocket over replayed data, matched by the sim exchange."""
