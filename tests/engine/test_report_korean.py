"""The report a trader reads: tables by exit reason/day/market, trips split by warm-up, one language, Korean glyphs
rendered by headless Chromium on a machine without CJK fonts (the embedded ScalpKR subset), width <= 1,400 px."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import registry
from engine.app import compose, job_config
from engine.backtest import run_backtest
from engine.i18n import catalog, set_lang
from engine.report import write_report
from engine.summary import compute

SLICE = ["feed.start=2025-09-22T00:00:00Z", "feed.end=2025-09-22T08:00:00Z", "markets=[KRW-ETH,KRW-SOL]",
         "towers=[momentum_rule]", "entry=prob_threshold", "towers.momentum_rule.threshold_score=0.0008"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report_ko")
    registry.load_all()
    set_lang("en")
    cfg = job_config(compose(SLICE + [f"store.path={tmp / 's.db'}", f"run.out_dir={tmp}"]))
    store = registry.build("store", {"component": "sqlite", "path": str(tmp / "s.db")}, path="store")
    with store:
        res = run_backtest(cfg, store=store)
    return tmp, res


def _page(res, path: Path, lang: str) -> str:
    set_lang(lang)
    try:
        return write_report(res.data, compute(res.data), path).read_text(encoding="utf-8")
    finally:
        set_lang("en")


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<section id="run">.*?</section>', " ", page, flags=re.S)   # config values are code
    return re.sub(r"<[^>]+>", " ", page)


def test_trader_tables_and_no_repeated_sections(run):
    tmp, res = run
    page = _page(res, tmp / "en.html", "en")
    for sec in ("exit-reasons", "days", "markets", "trades", "killswitches", "run"):
        assert page.count(f'<section id="{sec}"') == 1, sec
    reasons = {tr["exit_reason"] for tr in res.data.trades}
    block = page.split('<section id="exit-reasons">')[1].split("</section>")[0]
    assert reasons and all(f"<td>{r}</td>" in block for r in reasons)
    assert f"<td>{len(res.data.trades)}</td>" in block                  # the total row counts every trade
    assert 'class="cfg"' in page and "<summary>" in page                # the config as a fold-out tree
    assert page.count('id="calibration"') <= 1 and page.count('id="feature-importance"') <= 1


def test_trips_are_split_into_warm_up_and_trading(run, tmp_path):
    _, res = run
    data = res.data
    data.meta = {**data.meta, "trading_from_ms": data.equity[len(data.equity) // 2]["ts_ms"]}
    data.trips = [{"ts_ms": data.equity[0]["ts_ms"], "switch": "volume_dryup", "action": "block_entries",
                   "market": "KRW-ETH", "reason": "early"},
                  {"ts_ms": data.equity[-1]["ts_ms"], "switch": "stale_data", "action": "block_entries",
                   "market": "KRW-SOL", "reason": "late"}]
    page = write_report(data, compute(data), tmp_path / "r.html").read_text(encoding="utf-8")
    block = page.split('<section id="killswitches">')[1].split("</section>")[0]
    assert "<td>volume_dryup</td><td>1</td><td>0</td>" in block
    assert "<td>stale_data</td><td>0</td><td>1</td>" in block
    assert block.index("late") < block.index("early")                 # trading trips first, warm-up folded


def test_one_language_per_page(run):
    tmp, res = run
    en = _visible_text(_page(res, tmp / "en.html", "en"))
    ko = _visible_text(_page(res, tmp / "ko.html", "ko"))
    assert not HANGUL.search(en)
    for heading in ("Summary", "Per market", "Kill-switch trips", "By exit reason"):
        assert heading not in ko


def test_embedded_font_covers_every_korean_message():
    fontTools = pytest.importorskip("fontTools.ttLib")
    from engine.messages.components import KO
    from engine.report.font_subset import FONT_FILE
    assert FONT_FILE.stat().st_size < 1_000_000 and (FONT_FILE.parent / "OFL.txt").is_file()
    cmap = fontTools.TTFont(str(FONT_FILE)).getBestCmap()
    text = "".join(v["ko"] for v in catalog().values()) + "".join(KO.values())
    missing = sorted({ch for ch in text if HANGUL.match(ch) and ord(ch) not in cmap})
    assert not missing, f"rebuild the subset (python -m engine.report.font_subset ...): {''.join(missing)}"


PROBE = """<script>document.fonts.ready.then(function(){var ok=[];document.fonts.forEach(function(f){
if(f.family.replace(/['"]/g,'')==='ScalpKR'&&f.status==='loaded'){ok.push(1);}});
document.body.setAttribute('data-kr-font',ok.length?'loaded':'missing');
document.body.setAttribute('data-scroll-width',String(document.documentElement.scrollWidth));});</script>"""


@pytest.mark.browser
def test_korean_report_renders_without_cjk_fonts(run, tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        pytest.skip("chromium not installed (apt-get install chromium; .ci/run installs it)")
    _, res = run
    page = _page(res, tmp_path / "ko.html", "ko")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,2000"]
    dom = subprocess.run(args + ["--virtual-time-budget=5000", "--dump-dom", probe.as_uri()], capture_output=True,
                         text=True, timeout=180).stdout
    assert 'data-kr-font="loaded"' in dom, dom[:300]
    width = int(re.search(r'data-scroll-width="(\d+)"', dom).group(1))
    assert width <= 1400
    shot = tmp_path / "shot.png"
    subprocess.run(args + [f"--screenshot={shot}", probe.as_uri()], capture_output=True, timeout=180)
    assert shot.exists() and shot.stat().st_size > 20_000
