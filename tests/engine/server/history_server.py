"""A local exchange server whose whole history is in at start: the last N bundled 1m candles of KRW-BTC, expanded
into trades (open, low/high, high/low, close at :00, :15, :30, :59) and applied at once, no replay after."""
import time

CANDLES = 1500          # 2025-09-25 23:00 -> 2025-09-26 23:59 UTC: the span crosses a UTC day


def history_server(bundled_data, candles: int = CANDLES, **overrides):
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    cfg = dict(port=0, source={"kind": "candles", "path": str(bundled_data / "upbit"), "markets": ["KRW-BTC"],
                               "speed": 1, "max_candles": candles, "loop": False, "prefill_s": 10 ** 8})
    cfg.update(overrides)
    srv = RunningServer(ServerConfig(**cfg))
    deadline = time.monotonic() + 60
    while not srv.state.replayer.done.is_set():
        assert time.monotonic() < deadline, "the history did not load"
        time.sleep(0.05)
    return srv


def source_candles(bundled_data, candles: int = CANDLES):
    """The bundled 1m candles the server holds (the last `candles`)."""
    import numpy as np
    from components.types.feed.loaders import load_candles
    b = load_candles(bundled_data / "upbit/candles_1m/KRW-BTC.csv.gz", "KRW-BTC")
    return b.take(np.arange(len(b) - candles, len(b)))
