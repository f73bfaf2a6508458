"""`scalp data download`: Upbit REST history (candles, recent trades) paged, rate-limited and resumable."""
