"""The local exchange server in-process (bundled 2021 capture, 20x replay) for the fault proxy's tests."""
import time

import pytest

ACCESS, SECRET = "faults-access", "faults-secret-0123456789abcdef0123456789"


@pytest.fixture(scope="package")
def server(bundled_data):
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    path = bundled_data / "upbit/ws_captures/UPBIT-d78752.0.gz"
    if not path.exists():
        pytest.skip("no Upbit capture to replay")
    cfg = ServerConfig(port=0, accounts=[{"access_key": ACCESS, "secret_key": SECRET, "balances": {"KRW": 1e7}}],
                       source={"kind": "capture", "path": str(path), "speed": 20, "loop": True},
                       rate_limits={"market": [1000, 1], "default": [1000, 1], "order": [1000, 1]})
    srv = RunningServer(cfg)
    deadline = time.monotonic() + 10
    while "KRW-DAWN" not in srv.state.market.books:
        assert time.monotonic() < deadline, "replay produced no data"
        time.sleep(0.05)
    yield srv
    srv.stop()
