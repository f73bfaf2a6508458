"""Settings that used to pass `scalp validate` unchecked are refused with their dotted path (exit 2)."""
import pytest

from engine import exit_codes
from engine.cli import main


@pytest.mark.parametrize("overrides,path,text", [
    (["initial_krw=inf"], "initial_krw", "finite number"),
    (["initial_krw=nan"], "initial_krw", "finite number"),
    (["initial_krw=-1000"], "initial_krw", "greater than or equal to 5000"),
    (["orders.entry_type=stop"], "orders.entry_type", "'market' or 'limit'"),
    (["orders.ttl_ms=-1"], "orders.ttl_ms", "greater than or equal to 0"),
    (["orders.poll_interval_ms=-5"], "orders.poll_interval_ms", "greater than or equal to 0"),
    (["live.poll_interval_s=-1"], "live.poll_interval_s", "greater than 0"),
    (["live.reconcile_interval_s=0"], "live.reconcile_interval_s", "greater than 0"),
    (["live.ttl_grace_s=-1"], "live.ttl_grace_s", "greater than or equal to 0"),
    (["live.shutdown_timeout_s=abc"], "live.shutdown_timeout_s", "valid number"),
    (["exchange=upbit", "exchange.base_url=notaurl"], "exchange.base_url", "not a URL: expected http|https://"),
    (["feed=upbit_ws", "feed.url=notaurl"], "feed.url", "not a URL"),
    (["feed=upbit_ws", "feed.rest_url=ftp://host"], "feed.rest_url", "not a URL"),
    (["~exchange"], "exchange", "exchange is required"),
    (["~feed"], "feed", "feed is required"),
    (["markets=[KRW-BTC,KRW-ETH,KRW-BTC]"], "markets", "'KRW-BTC' is listed more than once"),
    (["universe.markets=[KRW-BTC,KRW-BTC]"], "universe.markets", "'KRW-BTC' is listed more than once"),
    (["feed.outlier.max_ratio=0.5"], "feed.outlier.max_ratio", "must be 0 (off) or > 1"),
])
def test_validate_refuses_with_the_dotted_path(capsys, overrides, path, text):
    rc = main(["validate", *overrides, "ui.lang=en"])
    out = capsys.readouterr()
    assert rc == exit_codes.CONFIG and out.out == ""
    lines = out.err.splitlines()
    assert any(line.startswith(f"{path}  ") and text in line for line in lines), out.err
    assert "Traceback" not in out.err


def test_good_urls_and_outlier_off_pass(capsys):
    rc = main(["validate", "exchange=upbit", "exchange.base_url=http://127.0.0.1:8765", "feed=upbit_ws",
               "feed.url=ws://127.0.0.1:8765/websocket/v1", "feed.rest_url=http://127.0.0.1:8765", "ui.lang=en"])
    assert rc == 0, capsys.readouterr().err
    rc = main(["validate", "feed.outlier.max_ratio=0", "ui.lang=en"])
    assert rc == 0, capsys.readouterr().err
