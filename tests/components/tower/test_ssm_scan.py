"""The blocked selective scan (training + bulk path) equals the log-space reference scan and the live O(1) step."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from components.types.feed.loaders import load_candles
from components.tower._ssm_scan import LOG_DECAY_FLOOR, scan_functions
from components.tower.ssm import SsmTower

selective_scan, logspace_scan = scan_functions()
NAMES = ["ret_1", "range_pct", "log_volume", "ret_5"]


def random_inputs(B=3, L=37, D=8, N=4, dtype=torch.float32, seed=0):
    """Inputs where the decay floor binds on some steps and not on others (delta*A from -0.01 to about -40)."""
    g = torch.Generator().manual_seed(seed)
    delta = torch.where(torch.rand(B, L, D, generator=g, dtype=dtype) < 0.8,
                        torch.rand(B, L, D, generator=g, dtype=dtype) * 0.9 + 0.01,
                        torch.rand(B, L, D, generator=g, dtype=dtype) * 2 + 7)
    A = -torch.exp(torch.rand(D, N, generator=g, dtype=dtype) * 1.5)           # -1 .. -4.5
    xc, Bm, Cm = (torch.randn(*s, generator=g, dtype=dtype) for s in ((B, L, D), (B, L, N), (B, L, N)))
    h0 = torch.randn(B, D, N, generator=g, dtype=dtype)
    return [t.requires_grad_() for t in (delta, A, xc, Bm, Cm, h0)]


def grads(scan, inputs, chunk_steps, seed=1):
    """Outputs and the gradients of a random linear function of (y, h_last) w.r.t. every input."""
    y, h = scan(*inputs, chunk_steps)
    g = torch.Generator().manual_seed(seed)
    wy, wh = torch.randn(y.shape, generator=g, dtype=y.dtype), torch.randn(h.shape, generator=g, dtype=h.dtype)
    return y, h, torch.autograd.grad((y * wy).sum() + (h * wh).sum(), inputs)


@pytest.mark.parametrize("chunk_steps", [1, 5, 8])
def test_blocked_scan_equals_the_log_space_reference_and_its_gradients(chunk_steps):
    inputs = random_inputs()
    assert (inputs[0].detach()[..., None] * inputs[1].detach() < LOG_DECAY_FLOOR).any()     # the floor binds
    y, h, g = grads(selective_scan, inputs, chunk_steps)
    y_ref, h_ref, g_ref = grads(logspace_scan, inputs, 8)
    np.testing.assert_allclose(y.detach(), y_ref.detach(), atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(h.detach(), h_ref.detach(), atol=1e-5, rtol=1e-5)
    for name, a, b in zip(("delta", "A", "xc", "B", "C", "h0"), g, g_ref):
        scale = float(b.abs().max())
        assert float((a - b).abs().max()) <= 1e-5 * max(scale, 1.0), name


def test_blocked_scan_gradient_matches_finite_differences_in_float64():
    inputs = random_inputs(B=2, L=7, D=3, N=2, dtype=torch.float64, seed=3)
    assert torch.autograd.gradcheck(lambda *a: selective_scan(*a, 3), inputs, eps=1e-6, atol=1e-7)


def test_no_grad_forward_equals_the_training_forward():
    inputs = random_inputs(L=50)
    y, h = selective_scan(*inputs, 8)                         # autograd path (inputs require grad)
    with torch.no_grad():
        y2, h2 = selective_scan(*inputs, 8)                   # buffer-light path used by predict
    torch.testing.assert_close(y2, y.detach(), rtol=0, atol=0)
    torch.testing.assert_close(h2, h.detach(), rtol=0, atol=0)


@pytest.fixture(scope="module")
def trained(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    ret1 = np.r_[np.nan, np.diff(np.log(c.close))]
    ret5 = np.r_[[np.nan] * 5, np.log(c.close[5:] / c.close[:-5])]
    X = np.c_[ret1, (c.high - c.low) / c.close, np.log1p(c.volume), ret5]
    fut = np.r_[np.log(c.close[10:] / c.close[:-10]), [np.nan] * 10]
    y = np.where(np.isfinite(fut), (fut > 0).astype(float), np.nan)
    t = SsmTower(SsmTower.Params(epochs=2, max_windows_per_epoch=8, batch_windows=8, device="cpu"))
    t.fit(X[:1500], y[:1500], NAMES, close=c.close[:1500], volume=c.volume[:1500])
    return t, X, y, c


def block_inputs(net, Z):
    """The real (delta, A, xc, B, C) each block of a trained net hands its scan for inputs Z."""
    seen = []
    for block in net.blocks:
        block.scan = lambda *a, _f=selective_scan: seen.append(a) or _f(*a)
    try:
        with torch.no_grad():
            net(torch.from_numpy(Z[None]))
    finally:
        for block in net.blocks:
            del block.scan
    return seen


def test_trained_tower_real_inputs_give_the_same_scan_outputs_and_gradients(trained):
    tower, X, _, _ = trained
    seen = block_inputs(tower._net_or_load(), tower._standardise(X[3000:3300]))
    assert len(seen) == tower.p.n_layers
    for delta, A, xc, Bm, Cm, h0, chunk in seen:
        inputs = [t.clone().requires_grad_() for t in (delta, A, xc, Bm, Cm, h0)]
        y, h, g = grads(selective_scan, inputs, chunk)
        y_ref, h_ref, g_ref = grads(logspace_scan, inputs, chunk)
        assert float((y - y_ref).detach().abs().max()) < 1e-5 and float((h - h_ref).detach().abs().max()) < 1e-5
        for a, b in zip(g[:5], g_ref[:5]):
            assert float((a - b).abs().max()) <= 1e-5 * max(float(b.abs().max()), 1.0)


def test_whole_network_forward_equals_reference_scan_and_the_numba_step(trained):
    tower, X, _, _ = trained
    rows = X[4000:4600]
    fast = tower.predict_parallel(rows)                       # blocked scan
    net = tower._net_or_load()
    for block in net.blocks:
        block.scan = logspace_scan
    try:
        ref = tower.predict_parallel(rows)
    finally:
        for block in net.blocks:
            del block.scan
    np.testing.assert_allclose(fast, ref, atol=1e-5, rtol=0)
    np.testing.assert_allclose(tower.predict_recurrent(rows), fast, atol=1e-5, rtol=0)   # the serving path


def test_training_with_either_scan_learns_the_same_model(trained, monkeypatch):
    _, X, y, c = trained
    from components.tower import _ssm_core
    block_class = _ssm_core.ssm_net_class()(4, 8, 4, 1, 4, 2, 8, 4).blocks[0].__class__
    outs = []
    for scan in (selective_scan, logspace_scan):
        monkeypatch.setattr(block_class, "scan", staticmethod(scan))
        t = SsmTower(SsmTower.Params(d_model=16, epochs=2, max_windows_per_epoch=8, batch_windows=4, device="cpu"))
        t.fit(X[:1200], y[:1200], NAMES, close=c.close[:1200], volume=c.volume[:1200])
        outs.append((t.train_log, t.predict_parallel(X[1200:1500])))
    (log_a, p_a), (log_b, p_b) = outs
    assert [r["loss"] for r in log_a] == pytest.approx([r["loss"] for r in log_b], rel=1e-4)
    np.testing.assert_allclose(p_a, p_b, atol=1e-3)
