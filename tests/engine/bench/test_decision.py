"""`scalp bench decision`: catboost-only and catboost + ssm + regime + weighted fusion latencies on real bars."""
import json

import pytest


@pytest.mark.slow
def test_json_reports_catboost_and_ensemble_percentiles(capsys):
    from engine.bench import decision
    assert decision.main(["--json", "--events=400", "--iterations=30"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["tower"] == "catboost" and out["events"] == 350 and 0 < out["p50_us"] <= out["p99_us"]
    ens = out["ensemble"]
    assert ens["towers"] == ["catboost", "ssm", "regime"] and ens["events"] == 350
    assert 0 < ens["p50_us"] <= ens["p99_us"] and ens["cpu_p50_us"] > 0
    assert sum(ens["weights"].values()) == pytest.approx(1.0)
    # three towers cost more than one: the ensemble really steps the ssm and regime towers
    assert ens["cpu_p50_us"] > out["cpu_p50_us"]


def test_no_ensemble_flag_skips_it(capsys):
    from engine.bench import decision
    assert decision.main(["--json", "--events=200", "--iterations=20", "--no-ensemble"]) == 0
    assert "ensemble" not in json.loads(capsys.readouterr().out.strip().splitlines()[-1])
