"""monitor.* config: off builds no hook, a bad value names its dotted path, a port in use never stops trading."""
import socket
import types

import pytest

import registry


def test_disabled_monitor_builds_no_hook(make_cfg):
    from engine.monitor.hook import MonitorHook, build
    ctx = types.SimpleNamespace(cfg=make_cfg("paper", "monitor.enabled=false"), silence=None, exchange=None, extra={})
    assert build(ctx) is None
    ctx.cfg = make_cfg("paper")
    assert isinstance(build(ctx), MonitorHook)


@pytest.mark.parametrize("override,path", [("monitor.port=70000", "monitor.port"),
                                           ("monitor.stale_after_s=0", "monitor.stale_after_s"),
                                           ("+monitor.prot=1", "monitor.prot")])
def test_bad_monitor_settings_name_the_dotted_path(make_cfg, override, path):
    from engine.settings import Settings
    with pytest.raises(registry.ConfigError) as e:
        Settings.from_cfg(make_cfg("paper", override))
    assert [p for p, _ in e.value.problems] == [path]


def test_a_port_in_use_leaves_the_session_trading(make_cfg, capsys, tmp_path):
    from engine.live.runner import run_session
    from engine.monitor.sessions import list_sessions, sessions_dir
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        cfg = make_cfg("paper", f"monitor.port={port}")
        res = run_session(cfg, "paper", max_events=150, duration_s=30)
    finally:
        taken.close()
    assert res.status == "done" and res.events == 150
    err = capsys.readouterr().err                  # a problem goes to stderr
    assert f"monitor cannot listen on 127.0.0.1:{port}" in err and "monitor.port=0" in err
    assert not list_sessions(sessions_dir(cfg))
