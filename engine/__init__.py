"""The runtime: event loop, modes, CLI, walk-forward, reports, validation."""
