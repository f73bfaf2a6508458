"""ev_trail gets its expectation: while a position is open, the entry map's expected return at each new
decision reaches the exits as ExitContext.expected_return (NaN without a fitted map)."""
import json
import math

import registry
from engine.risk.manager import RiskManager


def _run(tmp_path, monkeypatch, entry):
    from engine.app import compose, job_config
    from engine.backtest import run_backtest
    registry.load_all()
    seen = []
    real = RiskManager.check_exit

    def spy(self, position, price, ts_ms, context=None):
        seen.append(context.expected_return if context is not None else math.nan)
        return real(self, position, price, ts_ms, context)
    monkeypatch.setattr(RiskManager, "check_exit", spy)
    cfg = job_config(compose(["towers=[momentum_rule]", *entry, "markets=[KRW-SOL]", "killswitches=[]",
                              "sizing=fixed_krw", f"run.out_dir={tmp_path}"]))
    res = run_backtest(cfg, use_store=False, write_report=False)
    return res, seen


def test_the_entry_map_expectation_reaches_the_exits(tmp_path, monkeypatch):
    path = tmp_path / "map.json"              # a fitted map that expects +5 % at every probability
    path.write_text(json.dumps({"x": [0.0, 1.0], "y": [0.05, 0.05]}))
    res, seen = _run(tmp_path, monkeypatch, ["entry=cost_aware", f"entry.map_path={path}"])
    assert res.summary["trades"] > 0
    assert any(v == 0.05 for v in seen)       # after the first decision while holding
    assert all(math.isnan(v) or v == 0.05 for v in seen)


def test_without_a_map_the_exits_use_their_own_proxy(tmp_path, monkeypatch):
    res, seen = _run(tmp_path, monkeypatch, ["entry=prob_threshold", "entry.min_prob=0.05"])
    assert res.summary["trades"] > 0 and seen and all(math.isnan(v) for v in seen)
