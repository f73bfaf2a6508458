"""Round trips under the configured exits: the bot's own exit chain over later bar closes, both legs priced by
the run's cost model — what the entry rule learns its expected-return map from."""
import numpy as np
import pytest

import registry
from components.types.costs import CostModel
from engine.exit_sim import MarketBars, exit_chain, simulate

M = "KRW-SOL"


def _cfg(*overrides):
    from engine.app import compose, job_config
    registry.load_all()
    return job_config(compose(["exits=majors", *overrides]))


def _bars(closes):
    closes = np.asarray(closes, float)
    return {M: MarketBars(np.arange(1, len(closes) + 1, dtype=np.int64) * 60_000, closes,
                          np.full(len(closes), 0.001))}


def _run(closes, costs=None, cfg=None, expected=None):
    costs = costs or CostModel()
    chain = exit_chain(cfg or _cfg(), costs)
    rows = np.array([0])
    return simulate(rows, np.array([0]), np.array([0]), [M], _bars(closes), chain, costs,
                    expected=expected), costs


def test_a_drop_through_the_stop_exits_at_the_hard_stop():
    rt, costs = _run([250_000.0, 249_500.0, 247_000.0, 240_000.0, 260_000.0])
    assert rt.reason == ["hard_stop"] and rt.exit_ms[0] == 3 * 60_000     # -1.2 % at the third close
    assert rt.gross[0] == pytest.approx(247_000 / 250_000 - 1)
    move_in = costs.taker_move_frac(M, 250_000.0, 0.001)
    move_out = costs.taker_move_frac(M, 247_000.0, 0.001)
    want = 247_000 * (1 - move_out) * (1 - costs.fee_rate) / (250_000 * (1 + move_in) * (1 + costs.fee_rate)) - 1
    assert rt.net[0] == pytest.approx(want)


def test_a_flat_market_leaves_by_the_time_stop_and_pays_the_round_trip():
    rt, costs = _run([250_000.0] * 20)
    assert rt.reason == ["time_stop"] and rt.exit_ms[0] == 6 * 60_000      # held 300 s, below +0.05 %
    assert rt.gross[0] == 0 and -0.004 < rt.net[0] < -2 * costs.fee_rate


def test_the_exits_are_the_configured_ones():
    closes = [250_000.0, 249_500.0, 247_000.0] + [247_000.0] * 10
    rt, _ = _run(closes, cfg=_cfg("exits.hard_stop.loss_pct=3"))
    assert rt.reason == ["time_stop"] and rt.exit_ms[0] == 6 * 60_000      # -1.2 % no longer stops out


def test_a_higher_fee_lowers_every_net_return():
    closes = [250_000.0, 251_000.0, 252_500.0] + [252_500.0] * 10
    cheap, _ = _run(closes)
    dear, _ = _run(closes, CostModel(fee_rate=0.002))
    assert dear.net[0] < cheap.net[0] and dear.gross[0] == cheap.gross[0]


def test_ev_trail_acts_on_the_expectation_it_is_given():
    """A gain that stalls: without an expectation ev_trail waits for a pullback; told the model expects the
    move to reverse, it takes the gain at the next close."""
    closes = [250_000.0, 251_000.0, 252_000.0, 252_000.0, 252_000.0] + [252_000.0] * 10
    chain = exit_chain(_cfg(), CostModel())
    assert chain.reads_expectation
    plain_rt, _ = _run(closes)
    bearish, _ = _run(closes, expected={M: np.full(len(closes), -0.01)})
    assert bearish.reason == ["ev_trail"] and bearish.exit_ms[0] < plain_rt.exit_ms[0]
    assert plain_rt.reason != ["ev_trail"]
