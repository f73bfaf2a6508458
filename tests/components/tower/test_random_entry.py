"""random_entry: seeded, hits its entry rate, fit matches another strategy's exposure."""
import numpy as np

import registry


def _tower(**kw):
    return registry.build("tower", {"component": "random_entry", **kw}, path="towers.random_entry")


def test_same_seed_same_draws_and_rate_is_met():
    a, b = _tower(seed=3, entry_rate=0.1), _tower(seed=3, entry_rate=0.1)
    x = np.zeros(4)
    pa = np.array([a.step(x)[0] for _ in range(20000)])
    pb = np.array([b.step(x)[0] for _ in range(20000)])
    assert np.array_equal(pa, pb)
    assert abs(np.mean(pa == 0.9) - 0.1) < 0.01
    c = _tower(seed=4, entry_rate=0.1)
    assert not np.array_equal(pa, np.array([c.step(x)[0] for _ in range(20000)]))


def test_fit_matches_exposure_of_entry_flags():
    t = _tower(entry_rate=0.5)
    flags = np.r_[np.ones(30), np.zeros(970)]
    t.fit(np.zeros((1000, 2)), np.zeros(1000), ["a", "b"], entry_flags=flags)
    p = t.predict(np.zeros((50000, 2)))[:, 0]
    assert abs(np.mean(p == 0.9) - 0.03) < 0.004


def test_rate_zero_never_enters():
    t = _tower(entry_rate=0.0)
    assert all(t.step(np.zeros(1))[0] == 0.1 for _ in range(1000))


def test_each_market_draws_the_same_whatever_the_interleaving():
    """A replay merged by timestamp calls markets in another order than the session did: same answers."""
    x = np.zeros(2)
    a, b = _tower(seed=7, entry_rate=0.5), _tower(seed=7, entry_rate=0.5)
    order_a = ["KRW-BTC", "KRW-ETH"] * 200
    order_b = ["KRW-ETH"] * 150 + ["KRW-BTC", "KRW-ETH"] * 50 + ["KRW-BTC"] * 150
    got_a = {m: [] for m in ("KRW-BTC", "KRW-ETH")}
    got_b = {m: [] for m in ("KRW-BTC", "KRW-ETH")}
    for m in order_a:
        got_a[m].append(a.step(x, {"market": m})[0])
    for m in order_b:
        got_b[m].append(b.step(x, {"market": m})[0])
    assert got_a == got_b
    assert got_a["KRW-BTC"] != got_a["KRW-ETH"]           # markets draw from different streams
    a.reset()
    assert [a.step(x, {"market": "KRW-BTC"})[0] for _ in range(200)] == got_a["KRW-BTC"]   # reset restarts them
