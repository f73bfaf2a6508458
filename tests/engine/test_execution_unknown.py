"""Execution against the simulated exchange: refused exits back off, an unknown order blocks its market."""
from types import SimpleNamespace

from components.types.costs import CostModel
from components.types.orders import OrderIntent, Position
from engine.loop.execute import Execution
from engine.loop.recorder import Recorder
from engine.settings import OrderSettings

M = "KRW-DAWN"


class _Risk:
    """Always wants out; counts nothing else."""
    def check_exit(self, pos, price, ts, ctx):
        return SimpleNamespace(reason="test_exit", rests_limit=False)

    def on_entry(self, market, ts):
        pass


def _execution(ex, book, **orders):
    md = SimpleNamespace(best_bid={M: float(book.bid_px[0])}, last_px={M: float(book.bid_px[0])})
    return Execution(OrderSettings(**orders), ex, [M], 1_000_000, _Risk(), md, Recorder(None, None), "t", "alts",
                     CostModel())


def test_refused_exit_backs_off_doubling_instead_of_resending_every_event(dawn_sim):
    ex, book, _ = dawn_sim({"KRW": 1_000_000})          # no coins: every sell is refused (insufficient funds)
    run = _execution(ex, book, reject_backoff_ms=1_000, reject_backoff_max_ms=8_000)
    run.positions[M] = Position(M, volume=10.0, cost_krw=60_000.0)
    sent = []
    real = run.om.submit

    def submit(intent, ts, purpose, **kw):
        sent.append(ts)
        return real(intent, ts, purpose, **kw)
    run.om.submit = submit
    t0 = book.ts_ms
    for i in range(400):                                  # 40 s of events, 100 ms apart
        run.check_exit(M, t0 + 100 * i)
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert len(run.om.rejected) == len(sent)              # every try was refused ...
    assert gaps[:4] == [1_000, 2_000, 4_000, 8_000]       # ... and each waited twice as long as the last
    assert all(g == 8_000 for g in gaps[4:])              # capped
    assert len(sent) <= 8                                  # not 400


def test_unknown_entry_blocks_the_market_until_resolved(dawn_sim):
    """A timed-out create that was placed: no second entry and no exit while unknown; found -> tracked."""
    ex, book, _ = dawn_sim({"KRW": 1_000_000})

    class _Lost:
        def __init__(self, ex):
            self.ex, self.calls = ex, 0

        def __getattr__(self, name):
            return getattr(self.ex, name)

        def create_order(self, *a, **kw):
            self.calls += 1
            self.ex.create_order(*a, **kw)
            raise TimeoutError("answer lost")
    lost = _Lost(ex)
    run = _execution(lost, book)
    run._drain = None
    assert run.submit_entry(OrderIntent(M, "bid", "price", price=10_000.0), book.ts_ms) == ""
    assert run.om.blocked(M) and [mo.state for mo in run.om.unresolved()] == ["unknown"]
    assert run.submit_entry(OrderIntent(M, "bid", "price", price=10_000.0), book.ts_ms + 1) == "order.blocked"
    run.positions[M] = Position(M, volume=1.0, cost_krw=6_000.0)
    run.check_exit(M, book.ts_ms + 2)                     # wants out, but the market is blocked
    assert lost.calls == 1
    run.poll(book.ts_ms + 3)                              # lookup by identifier finds it
    assert not run.om.blocked(M) and not run.om.unresolved() and lost.calls == 1


def test_adopt_tracks_an_exchange_order_and_every_change_is_audited(dawn_sim):
    """An order found on the exchange (resume at start) is tracked like one we sent; each state change reaches
    the audit hook once."""
    from engine.order_manager import OrderManager
    ex, book, events = dawn_sim({"KRW": 1_000_000})
    om = OrderManager(ex, OrderSettings(ttl_ms=1_000), prefix="scalp-1-x")
    seen = []
    om.audit = lambda event, mo, ts, reason: seen.append((event, mo.intent.identifier, mo.state))
    from components.types.tick import fmt, snap, table_tick
    px = snap(float(book.bid_px[0]) * 0.8, table_tick(float(book.bid_px[0]) * 0.8), "down")
    order = ex.create_order(M, "bid", "limit", volume="2", price=fmt(px),
                            identifier="scalp-0-old-0000001", ts_ms=book.ts_ms)
    mo = om.adopt(order, "entry", book.ts_ms)
    assert om.open["scalp-0-old-0000001"] is mo and mo.state == "wait" and not om.blocked(M)
    closed = om.poll(book.ts_ms + 2_000)                  # past its TTL: cancelled, then closed once
    closed += om.poll(book.ts_ms + 2_001)
    assert closed == [mo] and mo.state == "cancel" and not om.open
    assert [e for e, _, _ in seen] == ["adopted", "cancel_sent", "cancel"]
