"""The Grafana example: every panel's query names metrics the monitor exports (names read from its exposition)."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / "examples" / "grafana" / "scalp-session.json"
METRIC = re.compile(r"\bscalp_[a-z0-9_]+\b")


def exported():
    from engine.monitor.metrics import SessionMetrics, exported_names
    return exported_names(SessionMetrics(lambda: None).registry)


def test_every_panel_queries_exported_metrics():
    names = exported()
    assert "scalp_equity_krw" in names and "scalp_orders_total" in names and \
        "scalp_decision_latency_seconds_bucket" in names
    panels = [p for p in json.loads(DASHBOARD.read_text())["panels"] if p["type"] != "row"]
    assert len(panels) >= 15
    used = set()
    for p in panels:
        found = [m for t in p["targets"] for m in METRIC.findall(t["expr"])]
        assert found, f"panel {p['title']!r} queries no scalp metric"
        unknown = sorted(set(found) - names)
        assert not unknown, f"panel {p['title']!r} queries {unknown}, not exported"
        used.update(found)
    families = {n for n in names if not n.endswith(("_created", "_bucket", "_sum", "_count"))}
    bare = {n[:-6] if n.endswith("_total") else n for n in used}
    shown = {n for n in families if n in used or n in bare or any(u.startswith(n + "_") for u in used)}
    assert not families - shown, f"exported but on no panel: {sorted(families - shown)}"


def test_a_query_with_an_unknown_metric_is_caught():
    """The check itself: a misspelt name is not among the exported ones."""
    assert "scalp_equity_kwr" not in exported() and not METRIC.findall("sum(rate(up[5m]))")
