"""Early stopping of the sequence towers on calibration rows: when it stops, which weights it keeps, determinism."""
import numpy as np
import pytest

from components.types.feed.loaders import load_candles
from components.tower._seq_targets import AUX_BINARY
from components.tower.ssm import SsmTower

NAMES = ["ret_1", "range_pct", "log_volume", "ret_5"]
TINY = dict(d_model=16, window_steps=64, burn_in_steps=16, max_windows_per_epoch=8, batch_windows=8, device="cpu")
TRAIN, CAL = slice(0, 1000), slice(1100, 1500)


@pytest.fixture(scope="module")
def btc(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    ret1 = np.r_[np.nan, np.diff(np.log(c.close))]
    ret5 = np.r_[[np.nan] * 5, np.log(c.close[5:] / c.close[:-5])]
    X = np.c_[ret1, (c.high - c.low) / c.close, np.log1p(c.volume), ret5]
    fut = np.r_[np.log(c.close[10:] / c.close[:-10]), [np.nan] * 10]
    return X, np.where(np.isfinite(fut), (fut > 0).astype(float), np.nan), c


def fit(btc, with_cal=True, scripted_cal_losses=None, **params):
    X, y, c = btc
    t = SsmTower(SsmTower.Params(**{**TINY, **params}))
    if scripted_cal_losses is not None:         # the rule under test, decoupled from what the data happens to do
        losses = iter(scripted_cal_losses)
        t._cal_loss = lambda *a, **k: next(losses)
    cal = dict(X_cal=X[CAL], y_cal=y[CAL], close_cal=c.close[CAL], volume_cal=c.volume[CAL],
               cal_ts_ms=c.ts_ms[CAL]) if with_cal else {}
    return t.fit(X[TRAIN], y[TRAIN], NAMES, close=c.close[TRAIN], volume=c.volume[TRAIN],
                 span_ms=(int(c.ts_ms[0]), int(c.ts_ms[999])), **cal)


def same_weights(a, b) -> bool:
    return a.weights.keys() == b.weights.keys() and all(np.array_equal(a.weights[k], b.weights[k]) for k in a.weights)


def test_stops_after_patience_epochs_without_a_lower_cal_loss_and_keeps_the_best_epoch(btc):
    t = fit(btc, scripted_cal_losses=[1.0, 0.8, 0.9, 0.85, 0.95, 0.1, 0.1, 0.1], epochs=8, patience_epochs=2)
    assert len(t.train_log) == 4 and t.best_epoch == 1               # epochs 2 and 3 did not beat 0.8
    assert [r["cal_loss"] for r in t.train_log] == [1.0, 0.8, 0.9, 0.85]
    assert same_weights(t, fit(btc, with_cal=False, epochs=2))       # = the weights right after epoch 1
    assert not same_weights(t, fit(btc, with_cal=False, epochs=4))   # not the last epoch's


def test_real_calibration_rows_keep_the_epoch_with_the_lowest_cal_loss(btc):
    import torch
    t = fit(btc, epochs=5, patience_epochs=1)
    logged = [r["cal_loss"] for r in t.train_log]
    assert all(np.isfinite(logged)) and t.best_epoch == int(np.argmin(logged))
    assert len(t.train_log) == 5 or logged[-1] >= min(logged)        # stopped only after a worse epoch
    X, y, c = btc
    cal = t._cal_sequences(X[CAL], y[CAL], None, c.close[CAL], c.volume[CAL], TINY["burn_in_steps"])
    kept = t._cal_loss(t._net_or_load(), cal, TINY["burn_in_steps"], torch.from_numpy(AUX_BINARY), "cpu")
    assert kept == pytest.approx(min(logged), rel=1e-6)
    assert t.signature["span_ms"][1] == int(c.ts_ms[CAL][-1])        # calibration labels chose the weights
    assert same_weights(t, fit(btc, epochs=5, patience_epochs=1))    # deterministic under the seed


def test_patience_zero_trains_every_epoch_and_ignores_calibration_rows(btc):
    t = fit(btc, epochs=3, patience_epochs=0)
    assert len(t.train_log) == 3 and t.best_epoch is None and "cal_loss" not in t.train_log[0]
    assert same_weights(t, fit(btc, with_cal=False, epochs=3))
    assert t.signature["span_ms"][1] == int(btc[2].ts_ms[999])
