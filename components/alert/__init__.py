"""Alert channels: `send(message, level, fields) -> bool` (never raises, never leaks a secret)."""
