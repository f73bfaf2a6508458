"""SSM tower on real bundled 1-minute candles: fit/predict, recurrent == full forward, guard, save/load, seed."""
import numpy as np
import pytest

from components.tower._seq_tower import aux_targets
from components.types.signature import SignatureMismatch
from components.tower.ssm import SsmTower
from components.types.feed.loaders import load_candles

NAMES = ["ret_1", "range_pct", "log_volume", "ret_5"]
TINY = dict(window_steps=64, burn_in_steps=16, epochs=2, max_windows_per_epoch=8, batch_windows=8, device="cpu")


def bar_features(c):
    """A small bar feature set built here (the tower must not depend on which features are chosen)."""
    ret1 = np.r_[np.nan, np.diff(np.log(c.close))]
    ret5 = np.r_[[np.nan] * 5, np.log(c.close[5:] / c.close[:-5])]
    return np.c_[ret1, (c.high - c.low) / c.close, np.log1p(c.volume), ret5]


@pytest.fixture(scope="module")
def btc(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    X = bar_features(c)
    fut = np.r_[np.log(c.close[10:] / c.close[:-10]), [np.nan] * 10]
    y = np.where(np.isfinite(fut), (fut > 0).astype(float), np.nan)
    return X, y, c


@pytest.fixture(scope="module")
def fitted(btc):
    X, y, c = btc
    t = SsmTower(SsmTower.Params(**TINY))
    t.fit(X[:1500], y[:1500], NAMES, close=c.close[:1500], volume=c.volume[:1500],
          span_ms=(int(c.ts_ms[0]), int(c.ts_ms[1499])), label="fwd10")
    return t


def test_fit_predict_outputs_on_real_candles(fitted, btc):
    X, _, _ = btc
    out = fitted.predict(X[1500:2300])
    assert out.shape == (800, 5) and SsmTower.outputs[0] == "p_up"
    assert np.all(np.isfinite(out))
    assert np.all((out[:, 0] > 0) & (out[:, 0] < 1))
    assert np.all(np.abs(out[:, [1, 4]]) <= 1)                  # bull_bear, mom_persist are 2p-1
    assert out[:, 0].std() > 0 and out[:, 2].std() > 0         # inputs move the outputs
    assert fitted.aux_trained and len(fitted.train_log) == 2


def test_recurrent_step_equals_full_sequence_forward_default_architecture(btc):
    X, y, c = btc
    t = SsmTower(SsmTower.Params(epochs=1, max_windows_per_epoch=4, batch_windows=4, device="cpu"))  # 2 x 64, 16
    t.fit(X[:1200], y[:1200], NAMES, close=c.close[:1200], volume=c.volume[:1200])
    rows = X[3000:3600]
    full = t.predict_parallel(rows)                              # torch chunked-scan forward
    np.testing.assert_allclose(t.predict(rows), full, atol=1e-5, rtol=0)
    a = np.array([t.step(x, {"market": "KRW-BTC"}) for x in rows[:300]])
    t.step(rows[0], {"market": "KRW-ETH"})                       # another market's state is separate
    b = np.array([t.step(x, {"market": "KRW-BTC"}) for x in rows[300:]])
    np.testing.assert_allclose(np.vstack([a, b]), full, atol=1e-5, rtol=0)
    t.reset("KRW-BTC")
    np.testing.assert_allclose(t.step(rows[0], {"market": "KRW-BTC"}), full[0], atol=1e-5, rtol=0)


def test_nonfinite_inputs_never_reach_the_network_and_are_counted(fitted, btc):
    X = btc[0][2000:2200].copy()
    X[5, 0], X[17, 2], X[40, 3] = np.nan, np.inf, -np.inf
    before = fitted.nonfinite_inputs
    out = fitted.predict(X)
    assert np.all(np.isfinite(out))
    assert fitted.nonfinite_inputs - before == 3
    assert np.all(np.isfinite(fitted.step(X[5])))
    assert fitted.nonfinite_inputs - before == 4


def test_save_load_round_trip_keeps_outputs_and_signature(fitted, btc, tmp_path):
    X = btc[0][2000:2300]
    path = fitted.save(tmp_path / "ssm")
    back = SsmTower.load(path)
    np.testing.assert_array_equal(back.predict(X), fitted.predict(X))
    sig = back.signature
    assert sig["component"] == "ssm" and sig["feature_names"] == NAMES and sig["label"] == "fwd10"
    assert sig["span_ms"][1] > sig["span_ms"][0] and "torch" in sig["libraries"]
    with pytest.raises(SignatureMismatch, match="feature_names"):
        back.bind(list(reversed(NAMES)))
    # a config with other learning params refuses the saved model, naming the hash
    other = SsmTower(SsmTower.Params(**{**TINY, "d_model": 32, "model_path": str(path)}))
    with pytest.raises(SignatureMismatch, match="params_hash"):
        other.predict(X)
    same = SsmTower(SsmTower.Params(**{**TINY, "torch_threads": 2, "model_path": str(path)}))
    np.testing.assert_array_equal(same.predict(X), fitted.predict(X))     # runtime keys do not matter


def test_seeded_training_is_deterministic(btc):
    X, y, c = btc
    outs = []
    for seed in (7, 7, 8):
        t = SsmTower(SsmTower.Params(**{**TINY, "epochs": 1, "seed": seed}))
        t.fit(X[:800], y[:800], NAMES, close=c.close[:800], volume=c.volume[:800])
        outs.append(t.predict(X[800:1000]))
    np.testing.assert_array_equal(outs[0], outs[1])
    assert np.abs(outs[0] - outs[2]).max() > 1e-4


def test_without_prices_the_context_is_untrained_and_reads_zero(btc):
    X, y, _ = btc
    t = SsmTower(SsmTower.Params(**{**TINY, "epochs": 1})).fit(X[:600], y[:600], NAMES)
    out = t.predict(X[600:700])
    assert not t.aux_trained and np.all(out[:, 1:] == 0) and np.all(np.isfinite(out[:, 0]))


def test_aux_targets_match_a_plain_loop(btc):
    _, _, c = btc
    close, vol, h = c.close[:400], c.volume[:400], 10
    A = aux_targets(close, vol, h)
    lr = np.diff(np.log(close))
    for t in (60, 123, 250, 389 - h):
        fut, past = np.log(close[t + h] / close[t]), np.log(close[t] / close[t - h])
        if fut != 0:
            assert A[t, 0] == float(fut > 0)
        v_past, v_fut = np.std(lr[t - h:t]), np.std(lr[t:t + h])
        if v_past > 0 and v_fut > 0:
            assert A[t, 1] == pytest.approx(np.log(v_fut / v_past), rel=1e-6)
        ahead, trail = vol[t + 1:t + 1 + h].mean(), vol[t - 59:t + 1].mean()
        assert A[t, 2] == pytest.approx(np.log(ahead / trail), rel=1e-6)
        if fut != 0 and past != 0:
            assert A[t, 3] == float(np.sign(fut) == np.sign(past))
    assert np.all(np.isnan(A[-h:, 0]))                            # no target past the data


def test_burn_in_must_be_inside_the_window():
    with pytest.raises(ValueError, match=r"burn_in_steps \(200\) must be < window_steps \(200\)"):
        SsmTower.Params(window_steps=200, burn_in_steps=200)


def test_groups_keep_interleaved_markets_as_separate_sequences(fitted, btc, bundled_data):
    """The walk-forward data set interleaves markets by time: each market must stay its own sequence."""
    eth = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-ETH.csv.gz", "KRW-ETH")
    a, b = btc[0][2000:2300], bar_features(eth)[2000:2300]
    X = np.empty((600, 4))
    X[0::2], X[1::2] = a, b
    g = np.array(["KRW-BTC", "KRW-ETH"] * 300)
    out = fitted.predict(X, groups=g)
    np.testing.assert_allclose(out[0::2], fitted.predict(a), atol=1e-6)
    np.testing.assert_allclose(out[1::2], fitted.predict(b), atol=1e-6)
    y = np.r_[btc[1][2000:2300], btc[1][2000:2300]][np.argsort(np.r_[np.arange(0, 600, 2), np.arange(1, 600, 2)])]
    t = SsmTower(SsmTower.Params(**{**TINY, "epochs": 1})).fit(X, y, NAMES, groups=g)
    assert t.train_log[0]["windows"] > 0 and np.all(np.isfinite(t.predict(X, groups=g)))


def test_numba_step_kernel_equals_its_numpy_reference(fitted, btc):
    Z = fitted._standardise(btc[0][5000:5400])
    fast, ref = fitted._recurrent(), fitted._recurrent()
    ref.use_kernel = False
    a = np.array([fast.step(z) for z in Z])
    b = np.array([ref.step(z) for z in Z])
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    assert np.abs(fast.h).max() > 0          # the state really moved


def test_step_latency_helper_for_the_decision_bench(fitted, btc):
    from engine.bench.ssm import step_latency_us
    out = step_latency_us(fitted, btc[0][6000:6100], warm_steps=20)
    assert out["steps"] == 80 and 0 < out["p50_us"] <= out["p99_us"] <= out["max_us"]
    assert 0 < out["cpu_p50_us"] <= out["cpu_p99_us"]
