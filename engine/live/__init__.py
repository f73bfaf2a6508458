"""Paper and live sessions: the engine loop driven by a live feed, a sync bridge to the async Upbit client, order safety."""
