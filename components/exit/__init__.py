"""Exit rules over open positions: `check(position, price, ts_ms, context) -> ExitSignal | None`."""
