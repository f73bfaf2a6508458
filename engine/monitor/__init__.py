"""Session monitor: Prometheus /metrics, /health, a live dashboard with server-sent events, session files."""
