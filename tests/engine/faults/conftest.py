"""The local exchange server in-process (bundled 2021 capture, 20x replay) for the fault proxy's tests."""
import pytest

ACCESS, SECRET = "faults-access", "faults-secret-0123456789abcdef0123456789"


@pytest.fixture(scope="package")
def server(bundled_data):
    from tests.engine.live.conftest import capture_server
    path = bundled_data / "upbit/ws_captures/UPBIT-d78752.0.gz"
    if not path.exists():
        pytest.skip("no Upbit capture to replay")
    srv = capture_server(path, [(ACCESS, SECRET)],
                         rate_limits={"market": [1000, 1], "default": [1000, 1], "order": [1000, 1]})
    yield srv
    srv.stop()
