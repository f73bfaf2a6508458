"""The ledger sums each round trip's taker costs and carries the entry rule's expected net return, so the
summary can put cost per trade in bps and predicted vs realised side by side."""
import math

import pytest

from components.types.orders import Fill, Position
from engine.ledger import Ledger
from engine.summary import compute, lines


def _trip(ledger, market, buy_px, sell_px, ts):
    pos = Position(market)
    ledger.on_fill(pos, Fill(market, "b", "bid", buy_px, 10.0, buy_px * 10 * 5e-4, ts, False, 3.0, 1.0, 0.5))
    return ledger.on_fill(pos, Fill(market, "s", "ask", sell_px, 10.0, sell_px * 10 * 5e-4, ts + 1, False,
                                    3.0, 1.0, 0.5))


def test_round_trip_carries_cost_parts_and_the_prediction():
    led = Ledger(["KRW-BTC", "KRW-ETH"], 1e6)
    led.expect("KRW-BTC", 0.002)
    a = _trip(led, "KRW-BTC", 1000.0, 1010.0, 1)
    b = _trip(led, "KRW-ETH", 1000.0, 990.0, 10)          # no prediction for this one
    assert a["spread_slippage_krw"] == pytest.approx(9.0) and a["predicted_net_return"] == 0.002
    assert math.isnan(b["predicted_net_return"])
    s = compute(led.data)
    assert s["cost_spread_bps"] == pytest.approx(1e4 * 6.0 / 10_000)          # 6 KRW on 10,000 KRW bought
    assert s["cost_fees_bps"] == pytest.approx(1e4 * (5.0 + 5.05) / 10_000 / 2 + 1e4 * (5.0 + 4.95) / 10_000 / 2)
    assert s["predicted_trades"] == 1 and s["predicted_net_return_mean"] == pytest.approx(0.002)
    assert s["realised_net_return_mean"] == pytest.approx(a["net_return"])
    text = dict(lines(s))
    assert any("0.002" not in v and "20.0" in v for v in text.values())          # 0.002 shown as 20.0 bps


def test_the_summary_says_whether_the_prediction_held():
    from engine.i18n import set_lang
    set_lang("en")
    led = Ledger(["KRW-BTC"], 1e6)
    for k, sell in enumerate((1003.0, 1002.0)):               # realised about +20 and +10 bps, predicted +12
        led.expect("KRW-BTC", 0.0012)
        _trip(led, "KRW-BTC", 1000.0, sell, 10 * k)
    row = dict(lines(compute(led.data)))
    assert any("within 10 bps" in v for v in row.values()), row
    led.expect("KRW-BTC", 0.05)                               # promised +500 bps
    _trip(led, "KRW-BTC", 1000.0, 1000.0, 100)
    row = dict(lines(compute(led.data)))
    assert any("off by" in v for v in row.values()), row


def test_the_verdict_is_no_trades_when_the_entry_took_none_and_pools_over_windows():
    from engine.i18n import set_lang
    from engine.summary import pooled_prediction, predicted_vs_realised
    set_lang("en")
    s = compute(Ledger(["KRW-BTC"], 1e6).data)
    assert s["prediction_verdict"] == "no_trades" and any("took no trades" in v for v in dict(lines(s)).values())
    led = Ledger(["KRW-BTC"], 1e6)
    _trip(led, "KRW-BTC", 1000.0, 1003.0, 1)                  # traded, but the rule predicted nothing
    assert compute(led.data)["prediction_verdict"] == "no_prediction"
    windows, trades = [], []
    for k, sells in enumerate(((1003.0, 1002.0, 1004.0), (), (998.0,))):
        led = Ledger(["KRW-BTC"], 1e6)
        for j, sell in enumerate(sells):
            led.expect("KRW-BTC", 0.001 * (k + 1))
            _trip(led, "KRW-BTC", 1000.0, sell, 10 * j)
        trades += led.data.trades
        windows.append({"trades": len(led.data.trades), **predicted_vs_realised(led.data.trades)})
    pooled, direct = pooled_prediction(windows), predicted_vs_realised(trades)
    for key in ("predicted_trades", "predicted_net_return_mean", "realised_net_return_mean",
                "realised_net_return_se", "prediction_gap_bps", "prediction_verdict"):
        assert pooled[key] == pytest.approx(direct[key]), key
