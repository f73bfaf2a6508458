"""Every `scalp bench` subcommand runs once on a small input (--quick) and prints the JSON it promises."""
import json

import pytest

from engine.commands import bench

# faults runs at CI size in tests/engine/faults (about a minute of live bots)
EXPECTED = {"decision", "faults", "features", "loop", "matching", "replay", "risk", "ssm"}


def _run(capsys, name):
    assert bench.main([name, "--quick", "--json"]) == 0
    text = capsys.readouterr().out
    start = text.index("{")                     # some benches log a line before their JSON
    return json.loads(text[start:])


def test_every_bench_module_is_covered_here():
    assert set(bench.benches()) == EXPECTED      # a new bench needs a --quick run below


@pytest.mark.parametrize("name, key", [("decision", "p50_us"), ("risk", "evaluate_us_median"),
                                       ("ssm", "fit_s"), ("replay", "results")])
def test_quick_bundled(capsys, name, key):
    assert key in _run(capsys, name)


@pytest.mark.parametrize("name, key", [("features", "results"), ("matching", "quote_one")])
def test_quick_shared_data(capsys, shared_data, name, key):
    assert key in _run(capsys, name)


@pytest.mark.slow          # ~15 s of CPU: the quick default backtest still fits two CatBoost folds
def test_loop_quick_measures_the_user_path_and_never_invents_peer_figures(capsys, shared_data, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("SCALP_PEERS_VENVS", str(tmp_path / "no-venvs"))      # peers absent: "not run"
    out = _run(capsys, "loop")
    q, r, d = out["quote"], out["rule"], out["default"]
    assert q["events"] == 47_380 and q["timers"] == 650 and q["events_per_s"] > 0
    assert (q["new"], q["replace"], q["fills"]) == (128, 208, 127)
    assert all(v.startswith("not run") for v in q["peers"].values()) and set(q["peers"]) == {"hftbacktest", "nautilus"}
    assert r["candles"] == 1440 and r["candles_per_s"] > 0 and r["peers"]["backtesting"].startswith("not run")
    sp = r["split"]                    # the steps of one more run, timed by wrappers: they add up to the run
    assert sp["precompute_s"] > 0 and sp["store_flush_s"] > 0 and sp["finish_s"] > 0 and sp["loop_s"] > 0
    assert sum(sp[k] for k in ("precompute_s", "store_flush_s", "finish_s", "loop_s")) == \
        pytest.approx(sp["total_s"], abs=0.005)
    fl = r["floors"]                   # the same bot with the store off trades the same; the bare bot's runs too
    assert fl["store_off"]["trades"] == r["trades"] and fl["bare_loop"]["candles_per_s"] > 0
    assert fl["bare_loop"]["trades"] == 0      # a hard stop only: its entry is held to the end, no closed trade
    assert d["exit"] == 0 and d["wall_s"] > 0
    assert d["replay_s"] > 0 and d["finish_s"] > 0 and d["wall_s"] >= d["load_s"] + d["replay_s"] + d["finish_s"]


def test_loop_text_names_each_part(capsys, shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("SCALP_PEERS_VENVS", str(tmp_path / "no-venvs"))
    from engine.bench import loop
    assert loop.main(["--quick", "--only", "quote"]) == 0
    text = capsys.readouterr().out
    assert "(a) quote_touch" in text and "hftbacktest: not run" in text and "(c)" not in text


def test_installed_peer_runs_alternately_and_the_ratio_is_the_median_of_pairs(tmp_path, monkeypatch):
    """A stand-in peer venv + harness: compare() alternates ours and the peer and takes the median ratio."""
    from engine.bench import _peers
    py = tmp_path / "venvs" / "hftbacktest" / "bin" / "python"
    py.parent.mkdir(parents=True)
    calls = tmp_path / "calls.txt"
    py.write_text(f"#!/bin/sh\necho peer >> {calls}\necho '{{\"events_per_s\": 1000}}'\n")
    py.chmod(0o755)
    (tmp_path / "peers").mkdir()
    (tmp_path / "peers" / "hftbacktest_bench.py").write_text("")
    monkeypatch.setenv("SCALP_PEERS_VENVS", str(tmp_path / "venvs"))
    monkeypatch.setenv("SCALP_PEERS_DIR", str(tmp_path / "peers"))
    ours = iter([500.0, 2000.0, 800.0])

    def mine():
        with open(calls, "a") as fh:
            fh.write("ours\n")
        return next(ours)
    res = _peers.compare("hftbacktest", mine, pairs=3, runs=1, warmup=0)
    assert calls.read_text().split() == ["ours", "peer"] * 3
    assert res["ratios"] == [0.5, 2.0, 0.8] and res["ratio_median"] == 0.8
    assert _peers.compare("nautilus", mine, 1, 1, 0).startswith("not run")
