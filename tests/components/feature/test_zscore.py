"""zscore against pandas rolling mean/std (ddof 0) of the wrapped feature's own batch output, on real data."""
import numpy as np
import pandas as pd
import pytest

import registry
from components.types.events import BOOK


def test_matches_rolling_zscore_of_a_candle_feature(candle_stream):
    inner = registry.build("feature", {"component": "rsi_14"}).batch(candle_stream)[:, 0]
    s = pd.Series(inner).dropna()
    ref = ((s - s.rolling(50).mean()) / s.rolling(50).std(ddof=0)).reindex(range(len(inner))).to_numpy()
    got = registry.build("feature", {"component": "zscore", "inner": {"component": "rsi_14"}, "window": 50}
                         ).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-9)


def test_samples_the_inner_feature_on_its_own_events_only(tick_stream):
    """A book feature wrapped: the window holds one sample per book snapshot, not per trade."""
    at = tick_stream.kind == BOOK
    inner = registry.build("feature", {"component": "bid_ask_imbalance"}).batch(tick_stream)[at, 0]
    s = pd.Series(inner)
    ref = ((s - s.rolling(100).mean()) / s.rolling(100).std(ddof=0)).to_numpy()
    got = registry.build("feature", {"component": "zscore", "inner": {"component": "bid_ask_imbalance"},
                                     "window": 100}).batch(tick_stream)[at, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9)


def test_bad_inner_node_names_the_key():
    with pytest.raises(registry.ConfigError, match=r"features\.z.*inner\.window_bars.*"):
        registry.build("feature", {"component": "zscore", "inner": {"component": "rsi_14", "window_bars": 0}},
                       path="features.z")


def test_unknown_output_is_refused():
    with pytest.raises(registry.ConfigError, match="'slope' is not an output of trend_regime: state, gap"):
        registry.build("feature", {"component": "zscore", "inner": {"component": "trend_regime"}, "output": "slope"})
