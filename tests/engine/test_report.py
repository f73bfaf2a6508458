"""HTML report: written by the backtest, rebuilt from the store, opened in headless Chromium; CLI last line."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import registry
from engine.app import compose, job_config
from engine.backtest import run_backtest
from engine.i18n import set_lang
from engine.report import rebuild

ROOT = Path(__file__).resolve().parents[2]
SLICE = ["feed.start=2025-09-22T00:00:00Z", "feed.end=2025-09-22T08:00:00Z", "markets=[KRW-ETH,KRW-SOL]",
         "towers=[momentum_rule]", "entry=prob_threshold", "towers.momentum_rule.threshold_score=0.0008"]
SECTIONS = ("summary", "equity", "drawdown", "trades", "markets", "quality", "killswitches")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    registry.load_all()
    set_lang("en")                 # the report follows ui.lang; these asserts read the English page
    cfg = job_config(compose(SLICE + [f"store.path={tmp / 's.db'}", f"run.out_dir={tmp}"]))
    store = registry.build("store", {"component": "sqlite", "path": str(tmp / "s.db")}, path="store")
    res = run_backtest(cfg, store=store)
    yield tmp, res, store
    store.close()


def test_report_has_sections_and_no_external_resources(run):
    _, res, _ = run
    text = res.report.read_text(encoding="utf-8")
    for sec in SECTIONS:
        assert f'id="{sec}"' in text
    # nothing is fetched: no src/href/url() to the network (a URL shown as a config value, e.g. download.base_url,
    # is text on the page, not a resource)
    fetched = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", text, re.I)
    assert fetched == [] and "<script src" not in text
    assert "https://api.upbit.com" in text                     # the config section does show that URL as text
    assert text.count("<svg") >= 2 + 2                       # equity, drawdown, one price chart per market
    assert 'class="buy"' in text and 'class="sell"' in text   # trades drawn on the price


def test_rebuilt_report_matches_the_run(run):
    tmp, res, store = run
    path, summary = rebuild(store, res.run_id, tmp / "rebuilt.html")
    for key in ("trades", "fills", "decisions", "entries", "trips"):
        assert summary[key] == res.summary[key], key
    for key in ("net_krw", "fees_krw", "max_drawdown_pct", "gross_krw"):
        assert summary[key] == pytest.approx(res.summary[key], rel=1e-9, abs=1e-6), key
    assert summary["quality"] == res.summary["quality"]
    text = path.read_text(encoding="utf-8")
    assert all(f'id="{sec}"' in text for sec in SECTIONS)


def test_tower_sections_appear_when_provided(run, tmp_path):
    from engine.report import write_report
    from engine.summary import compute
    _, res, _ = run
    data = res.data
    data.sections = {"calibration": {"momentum_rule": {"p": [0.1, 0.5, 0.9], "observed": [0.2, 0.5, 0.7]}},
                     "feature_importance": {"momentum_rule": {"roc_5m": 1.0, "roc_1m": 0.5}}}
    text = write_report(data, compute(data), tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="calibration"' in text and 'id="feature-importance"' in text and "roc_5m" in text
    plain = res.report.read_text(encoding="utf-8")
    assert 'id="feature-importance"' not in plain            # no tower provided importances in the run
    assert 'id="calibration"' in plain and "fused P(up)" in plain   # the engine's own reliability curve


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.browser
def test_report_renders_in_headless_chromium(run, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("chromium not installed (apt-get install chromium; .ci/run installs it)")
    _, res, _ = run
    args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(args + ["--dump-dom", res.report.as_uri()], capture_output=True, text=True,
                         timeout=120).stdout
    for sec in SECTIONS:
        assert f'id="{sec}"' in dom
    assert "<polyline" in dom and "Per market" in dom
    shot = tmp_path / "shot.png"
    subprocess.run(args + [f"--screenshot={shot}", "--window-size=1000,2400", res.report.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000     # a real rendered page, not a blank one


def test_cli_backtest_and_report_last_line(tmp_path):
    env_cmd = [sys.executable, "-m", "engine.cli"]
    common = [f"store.path={tmp_path / 's.db'}", f"run.out_dir={tmp_path}", "ui.lang=en"]
    out = subprocess.run(env_cmd + ["backtest"] + SLICE + common + [f"hydra.run.dir={tmp_path / 'run'}"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("report: ") and Path(last[8:]).is_file()
    assert "Net PnL" in out.stdout and "KRW-ETH" in out.stdout
    out2 = subprocess.run(env_cmd + ["report", "latest"] + common, capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert out2.returncode == 0, out2.stderr[-2000:]
    last2 = out2.stdout.strip().splitlines()[-1]
    assert last2.startswith("report: ") and Path(last2[8:]).is_file()
    bad = subprocess.run(env_cmd + ["report", "999"] + common, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert bad.returncode == 2 and "999" in bad.stderr and bad.stdout == ""
