"""`scalp bench matching`: JSON figures and the human table on the real Binance set (kernels only: fast)."""
import json

from engine.bench import matching


def test_json_reports_rates_and_the_peer_workload_counts(capsys, shared_data):
    assert matching.main(["--json", "--runs", "1", "--skip-python"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["events"] == 47_380                       # the peers' event count on the same files
    q = res["quote_one"]
    assert q["timers"] == 650 and q["new"] + q["replace"] > 300 and q["orders_filled"] > 50
    assert res["replay_match_ladder"]["fills"] > 0 and res["replay_match_ladder"]["events_per_s"] > 0


def test_text_output_goes_through_the_catalog(capsys, shared_data):
    assert matching.main(["--runs", "1", "--skip-python"]) == 0
    out = capsys.readouterr().out
    assert "matching benchmark" in out and "events/s" in out and "hftbacktest" in out
