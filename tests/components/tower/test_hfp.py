"""HFP tower on real ticks (Binance spot set, Upbit 2021 captures): states without look-ahead, fit/predict, save/load."""
import numpy as np
import pytest
from omegaconf import OmegaConf

from components.types.feed.loaders import load_books, load_trades
from components.tower._hfp_states import STATE_NAMES, direction_target, lag_stack, second_states
from components.tower.hfp import HfpTower
from components.types.events import BookBatch, TradeBatch


@pytest.fixture(scope="module")
def binance(shared_data):
    d = shared_data / "binance_spot"
    return load_trades(d / "trades_BTCUSDT.csv.gz", "BTCUSDT"), load_books(d / "orderbook_BTCUSDT.csv.gz", "BTCUSDT")


@pytest.fixture(scope="module")
def btc_states(binance):
    T, S, mid = second_states(*binance)
    return T, S, mid, direction_target(mid, 5, 0.0)


def test_state_k_ignores_everything_stamped_at_or_after_its_second_end(binance, btc_states):
    trades, books = binance
    T, S, _, _ = btc_states
    k = 300
    cut = T[k]
    t_keep, b_keep = trades.ts_ms < cut, books.ts_ms < cut
    # scramble the future: other prices/sizes after the cut
    tr = TradeBatch("x", trades.ts_ms, np.where(t_keep, trades.price, trades.price * 1.01),
                    np.where(t_keep, trades.volume, 9.0), np.where(t_keep, trades.side, 1).astype(np.int8), trades.seq)
    f = np.where(b_keep[:, None], 1.0, 1.02)
    bk = BookBatch("x", books.ts_ms, books.bid_px * f, books.bid_sz * f, books.ask_px * f, books.ask_sz / f)
    _, S2, _ = second_states(tr, bk, start_ms=int(T[0]) - 1000, end_ms=int(T[-1]) - 1000)
    np.testing.assert_array_equal(S2[:k + 1], S[:k + 1])
    assert not np.allclose(S2[k + 1:k + 20], S[k + 1:k + 20], equal_nan=True)


def test_states_match_a_plain_recomputation(binance, btc_states):
    trades, books = binance
    T, S, mid, _ = btc_states
    for k in (50, 200, 420):
        j = np.flatnonzero(books.ts_ms < T[k])[-1]
        b, a = books.bid_px[j, 0], books.ask_px[j, 0]
        assert mid[k] == 0.5 * (a + b)
        assert S[k, 1] == pytest.approx((a - b) / mid[k] * 1e4)
        assert S[k, 2] == pytest.approx((books.bid_sz[j, 0] - books.ask_sz[j, 0]) / (books.bid_sz[j, 0] + books.ask_sz[j, 0]))
        sel = (trades.ts_ms >= T[k] - 1000) & (trades.ts_ms < T[k])
        assert S[k, 5] == pytest.approx(np.log1p(sel.sum()))
        if sel.any():
            sv = (trades.volume[sel] * trades.side[sel]).sum() / trades.volume[sel].sum()
            assert S[k, 6] == pytest.approx(sv)


def test_lag_stack_and_direction_target_match_plain_loops(btc_states):
    _, S, mid, y = btc_states
    Z = lag_stack(S, 10)
    k = 123
    np.testing.assert_array_equal(Z[k], np.concatenate([S[k - 9 + j] for j in range(10)]))
    assert np.all(np.isnan(Z[3, :6 * 8]))
    for t in (10, 200, 400):
        r = mid[t + 5] / mid[t] - 1
        assert (np.isnan(y[t]) and r == 0) or y[t] == float(r > 0)
    y5 = direction_target(mid, 5, 0.05)
    assert np.isfinite(y5).sum() < np.isfinite(y).sum()           # the +-0.05 % band drops quiet seconds


def test_fit_on_binance_predict_held_out_and_step_equals_predict(btc_states):
    _, S, _, y = btc_states
    k = int(len(S) * 0.6)
    tower = HfpTower(HfpTower.Params()).fit(S[:k], y[:k], list(STATE_NAMES))
    p = tower.predict(S[k:])[:, 0]
    assert p.shape == (len(S) - k,) and np.all((p > 0) & (p < 1)) and p.std() > 0
    stepped = np.array([tower.step(s, {"market": "BTCUSDT"})[0] for s in S[k:k + 60]])
    np.testing.assert_allclose(stepped, p[:60], atol=1e-12)
    again = HfpTower(HfpTower.Params()).fit(S[:k], y[:k], list(STATE_NAMES))
    np.testing.assert_array_equal(again.predict(S[k:]), tower.predict(S[k:]))


def test_fit_and_predict_on_upbit_2021_ticks(bundled_data, tmp_path):
    d = bundled_data / "upbit" / "ticks_2021"
    parts = []
    for m in ("KRW-STX", "KRW-DAWN"):
        _, S, mid = second_states(load_trades(d / f"trades_{m}.csv.gz", m), load_books(d / f"orderbook_{m}.csv.gz", m))
        parts.append((S, direction_target(mid, 5, 0.0)))
    tower = HfpTower(HfpTower.Params(min_samples_leaf=5, max_iter=50)).fit(parts[0][0], parts[0][1], list(STATE_NAMES))
    p = tower.predict(parts[1][0])
    assert p.shape == (len(parts[1][0]), 1) and np.all(np.isfinite(p))
    back = HfpTower.load(tower.save(tmp_path / "hfp"))
    np.testing.assert_array_equal(back.predict(parts[1][0]), p)
    assert back.signature["component"] == "hfp" and back.signature["feature_names"] == list(STATE_NAMES)
    assert back.signature["label"] == ""


def test_inputs_pick_state_columns_by_name_and_feature_order_is_enforced(btc_states, tmp_path):
    from components.types.signature import SignatureMismatch
    _, S, _, y = btc_states
    k = int(len(S) * 0.6)
    names = list(STATE_NAMES)
    sub = HfpTower(HfpTower.Params(inputs=["spread_bps", "imb_l1", "signed_vol_frac"], max_iter=30))
    sub.fit(S[:k], y[:k], names)
    assert [names[i] for i in sub.cols] == ["spread_bps", "imb_l1", "signed_vol_frac"]
    other = S[k:].copy()
    other[:, [0, 3, 4, 5, 7]] = 123.0                    # columns it does not use cannot matter
    np.testing.assert_array_equal(sub.predict(other), sub.predict(S[k:]))
    back = HfpTower.load(sub.save(tmp_path / "hfp"))
    with pytest.raises(SignatureMismatch, match="feature_names"):
        back.bind(names[::-1])
    with pytest.raises(ValueError, match=r"towers\.hfp\.inputs: none of \['ofi'\]"):
        HfpTower(HfpTower.Params(inputs=["ofi"])).fit(S[:k], y[:k], names)


def test_one_class_training_data_is_refused_with_a_reason(btc_states):
    _, S, _, _ = btc_states
    with pytest.raises(ValueError, match="need both classes"):
        HfpTower(HfpTower.Params()).fit(S[:100], np.ones(100), list(STATE_NAMES))


def _cfg(bundled_data, kinds, markets):
    return OmegaConf.create({"towers": {"hfp": {"component": "hfp"}}, "markets": markets,
                             "feed": {"component": "replay", "path": str(bundled_data), "kinds": kinds}})


def test_validate_refuses_hfp_on_a_candle_only_feed(bundled_data):
    from engine.checks.tick_needs import tower_tick_needs
    problems = tower_tick_needs(_cfg(bundled_data, ["candle"], ["KRW-BTC"]))
    assert problems == [("towers.hfp", "tower 'hfp' needs book+trade data but feed 'replay' provides only "
                                       "candle (markets KRW-BTC); use a feed with tick data or drop this tower")]
    assert tower_tick_needs(_cfg(bundled_data, ["candle", "trade", "book"], ["KRW-STX"])) == []


def test_validate_refuses_hfp_when_the_feed_has_no_data_at_all(tmp_path):
    from engine.checks.tick_needs import tower_tick_needs
    cfg = OmegaConf.create({"towers": {"hfp": {"component": "hfp"}}, "markets": ["KRW-BTC"],
                            "feed": {"component": "replay", "path": str(tmp_path / "nowhere")}})
    (path, msg), = tower_tick_needs(cfg)
    assert path == "towers.hfp"
    assert msg.startswith("tower 'hfp' needs book+trade data but feed 'replay' provides only no data")
