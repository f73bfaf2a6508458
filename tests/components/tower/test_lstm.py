"""LSTM tower on real bundled 1-minute candles: same interface as ssm, recurrent step == forward, save/load, seed."""
import numpy as np
import pytest

from components.types.feed.loaders import load_candles
from components.tower.lstm import LstmTower
from components.types.signature import SignatureMismatch

NAMES = ["ret_1", "range_pct", "log_volume"]
TINY = dict(window_steps=64, burn_in_steps=16, epochs=2, max_windows_per_epoch=8, batch_windows=8, hidden=32,
            device="cpu")


@pytest.fixture(scope="module")
def eth(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-ETH.csv.gz", "KRW-ETH")
    X = np.c_[np.r_[np.nan, np.diff(np.log(c.close))], (c.high - c.low) / c.close, np.log1p(c.volume)]
    fut = np.r_[np.log(c.close[10:] / c.close[:-10]), [np.nan] * 10]
    return X, np.where(np.isfinite(fut), (fut > 0).astype(float), np.nan), c


@pytest.fixture(scope="module")
def fitted(eth):
    X, y, c = eth
    return LstmTower(LstmTower.Params(**TINY)).fit(X[:1500], y[:1500], NAMES, close=c.close[:1500],
                                                   volume=c.volume[:1500])


def test_fit_predict_outputs_on_real_candles(fitted, eth):
    out = fitted.predict(eth[0][1500:2000])
    assert out.shape == (500, 5) and LstmTower.outputs == ("p_up", "bull_bear", "vol_regime", "liq_state", "mom_persist")
    assert np.all(np.isfinite(out)) and np.all((out[:, 0] > 0) & (out[:, 0] < 1))
    assert out[:, 0].std() > 0


def test_recurrent_step_equals_full_sequence_forward(fitted, eth):
    rows = eth[0][4000:4400]
    full = fitted.predict(rows)
    stepped = np.array([fitted.step(x, {"market": "KRW-ETH"}) for x in rows])
    np.testing.assert_allclose(stepped, full, atol=1e-5, rtol=0)


def test_save_load_round_trip_and_feature_order_refused(fitted, eth, tmp_path):
    X = eth[0][2000:2200]
    back = LstmTower.load(fitted.save(tmp_path / "lstm"))
    np.testing.assert_array_equal(back.predict(X), fitted.predict(X))
    assert back.signature["component"] == "lstm" and back.signature["feature_names"] == NAMES
    with pytest.raises(SignatureMismatch, match="different order"):
        back.bind(NAMES[::-1])


def test_seeded_training_is_deterministic(eth):
    X, y, c = eth
    a, b = (LstmTower(LstmTower.Params(**{**TINY, "epochs": 1})).fit(X[:700], y[:700], NAMES, close=c.close[:700])
            .predict(X[700:900]) for _ in range(2))
    np.testing.assert_array_equal(a, b)


def test_unfitted_tower_says_how_to_get_a_model():
    with pytest.raises(RuntimeError, match=r"towers\.lstm: step before fit \(or set towers\.lstm\.model_path\)"):
        LstmTower(LstmTower.Params()).step(np.zeros(3))
