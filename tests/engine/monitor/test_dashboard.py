"""The live dashboard in headless Chromium during a paper session: its numbers equal the store's, and it is
served whole (no network beyond the monitor itself), in the configured language; /events streams the state."""
import json
import re
import sys
import threading
import time
import types

import httpx
import pytest

from tests.engine.monitor.cdp import Browser, chromium

FINAL = ("done", "cancel", "rejected")


def attr(dom, el_id, name="data-value"):
    m = re.search(rf'<[^>]*\bid="{re.escape(el_id)}"[^>]*>', dom)
    assert m, f"no element #{el_id}"
    v = re.search(rf'\b{name}="([^"]*)"', m.group(0))
    return v.group(1) if v else None


class _Freeze:
    """Test hook after the monitor: once the session has fills, it stops the engine thread for one look —
    books an equity row, flushes the store, publishes, loads the page in Chromium, reads the store."""

    def __init__(self, ctx, browser, want_open):
        self.browser, self.want_open, self.seen, self.t0 = browser, want_open, None, time.monotonic()

    def on_tick(self, ctx, now_s):
        loop = ctx.loop
        if self.seen is not None or not loop.ledger.data.fills:
            return
        if self.want_open and not loop.om.open and time.monotonic() - self.t0 < 40:
            return                                   # prefer a moment with an order resting
        loop._snapshot(loop.now_ms)                  # the store's last equity row = the account now
        loop.flush()
        mon = ctx.extra["monitor"]
        mon.publish()
        seq = mon.latest["seq"]          # the page is read once it shows this state, pushed over /events
        dom = self.browser.page(mon.url + "/", f"document.body.dataset.seq === '{seq}' && document.body.dataset.live === '1'")
        st, rid = ctx.store, ctx.run_id
        last = {}
        for e in st.records("order_events", rid):
            last[e["identifier"]] = e["state"]
        self.seen = {"dom": dom, "seq": mon.latest["seq"], "equity": st.records("equity", rid)[-1]["equity_krw"],
                     "fills": len(st.records("fills", rid)), "decisions": len(st.records("decisions", rid)),
                     "open": sum(1 for s in last.values() if s not in FINAL), "om_open": len(loop.om.open)}
        ctx.stop.set()


@pytest.mark.browser
def test_dashboard_numbers_equal_the_store(make_cfg, tmp_path, monkeypatch):
    if chromium() is None:
        pytest.skip("chromium not installed (apt-get install chromium; .ci/run installs it)")
    from engine.live import hooks as H
    from engine.live.runner import run_session
    browser = Browser(tmp_path / "profile")          # started before the session: the freeze stays short
    made = {}
    mod = types.ModuleType("_scalp_test_freeze")
    mod.build = lambda ctx: made.setdefault("h", _Freeze(ctx, browser, want_open=True))
    monkeypatch.setitem(sys.modules, "_scalp_test_freeze", mod)
    monkeypatch.setattr(H, "HOOK_FACTORIES", (*H.HOOK_FACTORIES, "_scalp_test_freeze:build"))
    cfg = make_cfg("paper", "orders.entry_type=limit", "orders.ttl_ms=120000")
    try:
        res = run_session(cfg, "paper", duration_s=90)
    finally:
        browser.close()
    seen = made["h"].seen
    assert seen is not None, "no fill within the session"
    dom = seen["dom"]
    assert attr(dom, "equity") and float(attr(dom, "equity")) == pytest.approx(seen["equity"], rel=1e-12)
    assert int(attr(dom, "fills")) == seen["fills"] >= 1
    assert int(attr(dom, "decisions")) == seen["decisions"] >= 1
    assert int(attr(dom, "open-orders-count")) == seen["open"] == seen["om_open"]
    assert int(attr(dom, "orders", "data-rows")) == seen["open"]
    assert re.search(rf'data-seq="{seen["seq"]}"', dom)          # the state published at the freeze
    assert 'data-live="1"' in dom                                # the /events stream was open
    assert int(attr(dom, "recent", "data-rows")) >= 1 and "Recent decisions and reasons" in dom
    assert int(attr(dom, "switches", "data-rows")) == len(cfg.killswitches)
    assert res.status == "done"


def test_page_is_self_contained_and_korean_by_ui_lang(session):
    s = session("ui.lang=ko")
    page = s.get("/").text
    assert "자산" in page and "실시간 현황" in page and "@font-face" in page      # ko labels, embedded font
    assert not re.search(r'(src|href)="(https?:)?//', page)                        # nothing from the network
    assert "EventSource(\"/events\")" in page
    s.stop()


def test_events_stream_the_state(session):
    s = session()
    got = []

    def read():
        with httpx.stream("GET", s.url + "/events", timeout=20) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                if line.startswith("data: "):
                    got.append(json.loads(line[6:]))
                    if len(got) >= 3:
                        return
    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(30)
    s.stop()
    assert len(got) >= 3
    seqs = [g["seq"] for g in got]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3          # each event a newer state
    assert got[-1]["events"] >= got[0]["events"] and got[-1]["mode"] == "paper"
