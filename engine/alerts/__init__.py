"""Paper/live alerts: a dispatcher (own threads, bounded queues, rate limit, retries) fed by session events."""
