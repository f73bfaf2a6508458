"""Numba matching kernels vs plain-Python references, on real Binance BTCUSDT books and prints."""
import numpy as np
import pytest

from components.exchange import _kernels as K


def ref_level_size(px, sz, price, is_bid):
    levels = [(p, s) for p, s in zip(px, sz) if p > 0]
    for p, s in levels:
        if abs(p - price) <= abs(price) * 1e-10 + 1e-12:
            return s
    if not levels:
        return -1.0
    deepest = levels[-1][0]
    beyond = price < deepest if is_bid else price > deepest
    return -1.0 if beyond else 0.0


def ref_walk(opp_px, opp_sz, is_bid, limit, want, by_funds):
    out, left = [], want
    for p, s in zip(opp_px, opp_sz):
        if left <= 0 or (limit > 0 and (p > limit if is_bid else p < limit)):
            break
        v = np.floor(min(s, left / p) * 1e8 + 1e-6) / 1e8 if by_funds else min(s, left)
        if v <= 0:
            break
        left -= v * p if by_funds else v
        out.append((p, v))
    return out


def test_level_size_matches_reference_on_real_books(btc_binance):
    _, books = btc_binance
    rng = np.random.default_rng(3)
    for i in rng.integers(0, len(books), 200):
        r = books.row(int(i))
        for is_bid, px, sz in ((True, r.bid_px, r.bid_sz), (False, r.ask_px, r.ask_sz)):
            probe = [px[0], px[7], px[-1], px[-1] + (-0.01 if is_bid else 0.01), px[0] + (0.005 if is_bid else -0.005)]
            for p in probe:
                assert K.level_size(px, sz, float(p), is_bid) == ref_level_size(px, sz, float(p), is_bid)


@pytest.mark.parametrize("by_funds", [False, True])
def test_walk_book_matches_reference_and_marks_used_depth(btc_binance, by_funds):
    _, books = btc_binance
    rng = np.random.default_rng(4)
    for i in rng.integers(0, len(books), 100):
        r = books.row(int(i))
        is_bid = bool(rng.integers(2))
        opp_px, opp_sz = (r.ask_px, r.ask_sz) if is_bid else (r.bid_px, r.bid_sz)
        limit = float(opp_px[int(rng.integers(0, 15))]) if rng.random() < 0.5 else 0.0
        want = float(rng.uniform(0.01, 3.0)) * (opp_px[0] if by_funds else 1.0)
        used = np.zeros_like(opp_sz)
        out_px, out_vol = np.empty(15), np.empty(15)
        n = K.walk_book(opp_px, opp_sz, used, is_bid, limit, want, by_funds, False, 8, out_px, out_vol)
        ref = ref_walk(opp_px, opp_sz, is_bid, limit, want, by_funds)
        assert n == len(ref)
        assert np.allclose(out_px[:n], [p for p, _ in ref]) and np.allclose(out_vol[:n], [v for _, v in ref])
        assert np.allclose(used[:n], out_vol[:n])
        # the same liquidity cannot be taken twice from one snapshot
        n2 = K.walk_book(opp_px, opp_sz, used, is_bid, limit, want, by_funds, False, 8, out_px, out_vol)
        taken = used.sum()
        assert taken <= opp_sz.sum() + 1e-9 and (n2 == 0 or taken > out_vol[:n2].sum() - 1e-12)


def ref_trade_fill(is_bid, price, remaining, queue, tr_px, tr_vol, tr_side):
    through = tr_px < price if is_bid else tr_px > price
    if through:
        return remaining, 0.0, 0.0
    hits_us = tr_px == price and tr_side == (-1 if is_bid else 1)
    if not hits_us:
        return 0.0, queue, 0.0
    if tr_vol <= queue:
        return 0.0, queue - tr_vol, tr_vol
    return min(tr_vol - queue, remaining), 0.0, tr_vol


def test_trade_fill_matches_reference_on_real_prints(btc_binance):
    trades, _ = btc_binance
    rng = np.random.default_rng(5)
    for i in rng.integers(0, len(trades), 500):
        t = trades.row(int(i))
        is_bid = bool(rng.integers(2))
        price = t.price + float(rng.choice([-0.01, 0.0, 0.0, 0.01]))
        queue = float(rng.choice([0.0, t.volume * 0.5, t.volume * 2]))
        got = K.trade_fill(is_bid, price, 0.05, queue, t.price, t.volume, t.side)
        assert np.allclose(got, ref_trade_fill(is_bid, price, 0.05, queue, t.price, t.volume, t.side))


def test_book_update_caps_queue_and_fills_on_cross(btc_binance):
    _, books = btc_binance
    a, b = books.row(100), books.row(101)
    price = float(a.bid_px[2])
    disp = K.level_size(b.bid_px, b.bid_sz, price, True)
    fill, q, d = K.book_update(True, price, 0.1, 1e9, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, -1.0, 0.0, 0.0)
    assert fill == 0 and d == disp and q == (disp if disp >= 0 else 1e9)
    # an ask at or through our bid price means our level was taken: the rest fills
    fill, q, _ = K.book_update(True, float(b.ask_px[0]), 0.1, 5.0, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, -1.0, 0.0, 0.0)
    assert fill == 0.1 and q == 0


def test_probabilistic_queue_moves_up_on_unexplained_shrink():
    px, opp = np.array([100.0, 99.0]), np.array([101.0, 102.0])
    sz_before, sz_after = np.array([10.0, 5.0]), np.array([6.0, 5.0])     # 4 cancelled, no prints
    q0 = 5.0                                                              # 5 ahead, 5 behind
    _, q_cons, _ = K.book_update(True, 100.0, 1.0, q0, px, sz_after, opp, sz_after, 10.0, 0.0, 0.0)
    _, q_prob, _ = K.book_update(True, 100.0, 1.0, q0, px, sz_after, opp, sz_after, 10.0, 0.0, 2.0)
    assert q_cons == 5.0                                  # risk-averse: cancels were behind us
    assert q_prob == pytest.approx(5.0 - 4.0 * 0.5)       # equal ahead/behind -> half of the shrink
    assert q_prob < q_cons


def test_depth_available_matches_reference(btc_binance):
    _, books = btc_binance
    for i in (0, 500, 3000):
        r = books.row(i)
        limit = float(r.ask_px[5])
        used = np.zeros(15)
        used[0] = r.ask_sz[0] / 2
        vol = K.depth_available(r.ask_px, r.ask_sz, used, True, limit, False)
        notional = K.depth_available(r.ask_px, r.ask_sz, used, True, 0.0, True)
        assert vol == pytest.approx(r.ask_sz[:6].sum() - used[0])
        assert notional == pytest.approx(float((r.ask_px * r.ask_sz).sum() - r.ask_px[0] * used[0]))
