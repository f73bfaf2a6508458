"""Online (update/value per event) == batch(stream) to 1e-9 for EVERY registered feature, on real data."""
import numpy as np

import registry


def _online(f, stream) -> np.ndarray:
    f.reset()
    out = np.empty((len(stream), len(f.outputs)))
    for i, ev in enumerate(stream.events()):
        f.update(ev)
        out[i] = f.value()
    return out


def test_online_equals_batch(feature_case, stream_for):
    f = registry.build("feature", feature_case, path="features.x")
    stream = stream_for(f)
    batch = f.batch(stream)
    online = _online(f, stream)
    assert batch.shape == (len(stream), len(f.outputs))
    assert np.array_equal(np.isnan(batch), np.isnan(online)), "NaN (not warm) rows differ"
    assert np.isfinite(batch).any(), "never warm on this data: the comparison would be vacuous"
    both = np.isfinite(batch)
    np.testing.assert_allclose(online[both], batch[both], rtol=1e-9, atol=1e-12)


def test_batch_does_not_disturb_online_state(candle_stream):
    f = registry.build("feature", {"component": "rsi_14"})
    for ev in list(candle_stream.events())[:100]:
        f.update(ev)
    before = f.value()
    f.batch(candle_stream)
    assert np.array_equal(before, f.value())


def test_upbit_ticks_online_equals_batch(upbit_tick_stream):
    """The 2021 Upbit capture (1 s trade stamps, 15-level books) through every trade/book feature."""
    registry.load_all()
    for name in registry.names("feature"):
        f = registry.build("feature", {"component": name})
        if not f.needs & {"trade", "book"}:
            continue
        batch = f.batch(upbit_tick_stream)
        online = _online(f, upbit_tick_stream)
        assert np.array_equal(np.isnan(batch), np.isnan(online)), name
        ok = np.isfinite(batch)
        np.testing.assert_allclose(online[ok], batch[ok], rtol=1e-9, atol=1e-12, err_msg=name)
