"""Kill switches: `check(metrics, snapshot, ts_ms) -> Trip | None`, thresholds in config (DESIGN §8)."""
