"""Sizing limits (risk across positions): size scaled by the number of open positions, and a rolling return
correlation limit between held markets on real bundled candles; composed from YAML, validated, applied by the
risk manager after the sizing policy."""
import math

import numpy as np
import pytest

from components.sizing_limit.correlation import Correlation
from components.sizing_limit.open_positions import OpenPositions
from components.types.feed.loaders import load_candles
from components.types.risk import SizingContext
from engine.risk import RiskManager
from engine.settings import Limits

T0 = 1_756_684_800_000


@pytest.fixture(scope="module")
def closes(bundled_data):
    out = {}
    for m in ("KRW-BTC", "KRW-ETH", "KRW-XRP"):
        c = load_candles(bundled_data / "upbit" / "candles_1m" / f"{m}.csv.gz", m)
        out[m] = (np.asarray(c.ts_ms, np.int64) + 60_000, np.asarray(c.close, np.float64))
    return out


P5 = {"window": 120, "interval_s": 300}        # 5-minute returns over 10 hours


def _fed(closes, p, n=3000, start=1000):
    lim = Correlation(Correlation.Params(**{**P5, **p}))
    t_all = sorted(set(closes["KRW-BTC"][0][start:start + n]))
    for m, (ts, px) in closes.items():
        for t, x in zip(ts, px):
            if t_all[0] <= t <= t_all[-1]:
                lim.observe(m, int(t), float(x))
    return lim, t_all


def _direct(closes, a, b, t_all, window, interval_s):
    """Last close of each interval, log returns of consecutive intervals present in both markets, the last
    `window` of them: np.corrcoef."""
    def rets(m):
        ts, px = closes[m]
        keep = (ts >= t_all[0]) & (ts <= t_all[-1])
        k, px = ts[keep] // (interval_s * 1000), px[keep]
        last = np.r_[k[1:] != k[:-1], True]                  # the last close of each interval
        ts, px = k[last], px[last]
        return {int(k1): math.log(p1 / p0) for k0, k1, p0, p1 in zip(ts, ts[1:], px, px[1:]) if k1 == k0 + 1}
    ra, rb = rets(a), rets(b)
    keys = sorted(ra.keys() & rb.keys())[-window:]
    return float(np.corrcoef([ra[k] for k in keys], [rb[k] for k in keys])[0, 1])


def test_correlation_equals_a_direct_computation_on_real_candles(closes):
    for iv in (60, 300):
        lim, t_all = _fed(closes, {"interval_s": iv})
        for a, b in (("KRW-BTC", "KRW-ETH"), ("KRW-BTC", "KRW-XRP")):
            assert lim.correlation(a, b) == pytest.approx(_direct(closes, a, b, t_all, 120, iv), abs=1e-9)


def test_entry_correlated_with_a_held_market_is_refused_or_scaled(closes):
    probe, _ = _fed(closes, {})
    c = probe.correlation("KRW-ETH", "KRW-BTC")
    assert 0.2 < c < 0.99                                         # majors move together, not identically
    below, _ = _fed(closes, {"max_corr": c - 0.05})
    v = below.limit("KRW-ETH", SizingContext(), ("KRW-BTC",))
    assert v.factor == 0.0 and v.reason.startswith(f"correlation: KRW-ETH~KRW-BTC {c:.2f} >")
    above, _ = _fed(closes, {"max_corr": c + 0.05})
    assert above.limit("KRW-ETH", SizingContext(), ("KRW-BTC",)).factor == 1.0
    scaled, _ = _fed(closes, {"max_corr": c - 0.05, "action": "scale", "factor": 0.4})
    assert scaled.limit("KRW-ETH", SizingContext(), ("KRW-BTC",)).factor == 0.4
    assert below.limit("KRW-ETH", SizingContext(), ()).factor == 1.0          # nothing held: no limit


def test_too_little_history_is_not_limited(closes):
    lim, _ = _fed(closes, {"min_returns": 30, "max_corr": -1.0}, n=100)
    assert math.isnan(lim.correlation("KRW-ETH", "KRW-BTC"))
    assert lim.limit("KRW-ETH", SizingContext(), ("KRW-BTC",)).factor == 1.0


def test_open_positions_scale_down_each_further_entry():
    lim = OpenPositions(OpenPositions.Params(decay=0.5, min_factor=0.2))
    got = [lim.limit("KRW-X", SizingContext(), tuple(f"KRW-H{i}" for i in range(n))).factor for n in range(4)]
    assert got == [1.0, 0.5, 0.25, 0.2]


def test_risk_manager_applies_limits_after_the_policy(closes):
    limits = {"open_positions": {"component": "open_positions", "decay": 0.5, "min_factor": 0.25},
              "correlation": {"component": "correlation", "max_corr": 0.99}}
    rm = RiskManager(sizing={"component": "fixed_krw", "amount_krw": 40_000}, switches={},
                     limits=Limits(cooldown_s=0, max_open_positions=5, max_market_share=0.9), sizing_limits=limits)
    rm.on_account(T0, 1e6, 1e6, {})
    free = rm.check_entry("KRW-ETH", T0, 0.9, 1e6)
    assert free.allowed and free.size_krw == pytest.approx(40_000)
    rm.on_account(T0, 1e6, 900_000, {"KRW-BTC": 50_000.0, "KRW-XRP": 50_000.0})
    d = rm.check_entry("KRW-ETH", T0, 0.9, 900_000)
    assert d.allowed and d.size_krw == pytest.approx(10_000, abs=1) and "sizing_limit.open_positions" in d.reasons[0]
    lim, t_all = _fed(closes, {})
    rm.sizing_limits[1] = lim                      # the same limit, fed real prices (as the loop does via observe_price)
    worst = max(lim.correlation("KRW-ETH", h) for h in ("KRW-BTC", "KRW-XRP"))
    object.__setattr__(lim, "p", Correlation.Params(**P5, max_corr=worst - 0.01))
    d = rm.check_entry("KRW-ETH", T0, 0.9, 900_000)
    assert not d.allowed and any(r.startswith("sizing_limit.correlation: KRW-ETH~") for r in d.reasons)


def test_yaml_composes_and_bad_values_name_the_path():
    from engine.app import compose, job_config
    from engine.validate import validate_config
    cfg = job_config(compose(["sizing_limits=[open_positions,correlation]"]))
    assert cfg.sizing_limits.correlation.max_corr == 0.8 and cfg.sizing_limits.open_positions.decay == 0.7
    assert validate_config(cfg) == []
    bad = job_config(compose(["sizing_limits=[correlation]", "sizing_limits.correlation.max_corr=3"]))
    assert [p for p, _ in validate_config(bad)] == ["sizing_limits.correlation.max_corr"]
    short = job_config(compose(["sizing_limits=[correlation]", "sizing_limits.correlation.window=10"]))
    (problem,) = validate_config(short)
    assert problem[0].startswith("sizing_limits.correlation") and "min_returns (30)" in problem[1]
    rm = RiskManager.from_config(cfg)
    assert [type(x).__name__ for x in rm.sizing_limits] == ["OpenPositions", "Correlation"]
