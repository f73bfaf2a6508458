"""Session hooks: services beside a paper session see start, ticks and stop; a failing hook never stops trading."""
import sys
import types

import registry


class _Recorder:
    def __init__(self, ctx):
        self.calls, self.events_at_stop = [], None

    def on_start(self, ctx):
        self.calls.append("start")

    def on_tick(self, ctx, now_s):
        self.calls.append("tick")
        if ctx.result.events >= 50:
            ctx.stop.set()                 # a hook may stop the session gracefully (scalp stop does this)

    def on_stop(self, ctx):
        self.calls.append("stop")
        self.events_at_stop = ctx.result.summary.get("decisions")


class _Broken:
    def on_tick(self, ctx, now_s):
        raise RuntimeError("monitor down")


def test_hooks_see_the_session_and_a_broken_hook_is_only_logged(make_cfg, tmp_path, monkeypatch, caplog):
    from engine.live import hooks as H
    from engine.live.runner import run_session
    made = {}
    mod = types.ModuleType("_scalp_test_hooks")
    mod.rec = lambda ctx: made.setdefault("rec", _Recorder(ctx))
    mod.broken = lambda ctx: _Broken()
    mod.off = lambda ctx: None             # a service switched off in the config builds no hook
    monkeypatch.setitem(sys.modules, "_scalp_test_hooks", mod)
    monkeypatch.setattr(H, "HOOK_FACTORIES", ("_scalp_test_hooks:broken", "_scalp_test_hooks:rec", "_scalp_test_hooks:off"))
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "h.db")}, path="store")
    res = run_session(make_cfg("paper"), "paper", store=store, duration_s=20)
    rec = made["rec"]
    assert res.status == "done" and 50 <= res.events < 200           # stopped by the hook, long before 20 s
    assert rec.calls[0] == "start" and rec.calls[-1] == "stop" and rec.calls.count("tick") >= 50
    assert rec.events_at_stop == res.summary["decisions"]            # on_stop runs after the summary exists
    failed = [r for r in caplog.records if "hook_failed" in r.getMessage()]
    assert len(failed) == 1 and "_Broken" in failed[0].getMessage()  # logged once, not once per tick
    store.close()
