"""Upbit exchange: REST client, WebSocket client, raw message parser (messages.py)."""
