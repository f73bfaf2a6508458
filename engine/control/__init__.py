"""Operating a running session: hot reload of the safe config subset, `scalp stop`, runs and store maintenance."""
