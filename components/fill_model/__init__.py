"""Fill models for the simulated exchange: latency, queue position, book walking, bar fills."""
