"""Go-live gates: `scalp live` starts only when the store holds a qualifying walk-forward and paper session of
the same trading signature (root `live.gates`).

The trading signature hashes what decides trades — features, labels, towers (minus runtime keys such as
`model_path`), fusion, entry, sizing, exits, kill switches, universe, markets, market class, decision
interval, limits — and nothing about where a run goes or how it connects (run, store, ui, mode, feed,
exchange, fill model, live, walkforward, hydra). A walk-forward fits its own models per fold, so the
live tower's `model_path` is not part of it.
"""
from __future__ import annotations

import math
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

from components.types.signature import RUNTIME_KEYS, params_hash

SIGNATURE_KEYS = ("features", "labels", "towers", "fusion", "entry", "sizing", "exits", "killswitches",
                  "universe", "markets", "market_class", "decision_interval_ms", "limits")
WALKFORWARD_MODE = "walkforward"


def trade_signature(config: Any) -> str:
    """16 hex of the config keys that decide trades (a composed config or a run's stored config dict)."""
    from engine.conf import plain
    # only these keys are resolved: others may hold ${hydra:...} references outside a Hydra job
    picked = {k: plain(config.get(k)) for k in SIGNATURE_KEYS} if config is not None else {}
    towers = picked.get("towers")
    if isinstance(towers, dict):      # how a model runs (threads, where it was saved) is not what it decides
        picked["towers"] = {tid: {k: v for k, v in (node or {}).items() if k not in RUNTIME_KEYS}
                            if isinstance(node, dict) else node for tid, node in towers.items()}
    return params_hash(picked)


@dataclass
class Gate:
    """One gate: its name (the live.gates key it checks), pass/fail, the measured value and the requirement."""
    name: str
    ok: bool
    measured: str
    required: str


@dataclass
class GateReport:
    """Every gate's outcome and the store runs that were taken as evidence."""
    enabled: bool
    signature: str
    gates: list[Gate] = field(default_factory=list)
    walkforward_run: int | None = None
    paper_run: int | None = None

    @property
    def passed(self) -> bool:
        return not self.enabled or all(g.ok for g in self.gates)

    @property
    def unmet(self) -> list[Gate]:
        return [g for g in self.gates if not g.ok] if self.enabled else []

    def as_dict(self) -> dict:
        return {"enabled": self.enabled, "passed": self.passed, "signature": self.signature,
                "walkforward_run": self.walkforward_run, "paper_run": self.paper_run,
                "gates": [g.__dict__ for g in self.gates]}


def _num(x: Any) -> float:
    return float(x) if isinstance(x, (int, float)) and math.isfinite(x) else math.nan


def walkforward_figures(store: Any, run_id: int) -> dict:
    """trades, net_pnl_krw, deflated_sharpe and the worst fold drawdown (percent) of a stored walk-forward."""
    art = store.load_artifact(f"{WALKFORWARD_MODE}/{run_id}") or {}
    result = art.get("signature") or {}
    summary = result.get("summary") or {}
    dds = [_num(r.get("max_drawdown")) for r in result.get("folds") or []]
    dds = [d for d in dds if d == d]
    return {"trades": _num(summary.get("trades")), "net_pnl_krw": _num(summary.get("net_pnl_krw")),
            "deflated_sharpe": _num(summary.get("deflated_sharpe")),
            "max_drawdown_pct": max(dds) * 100.0 if dds else math.nan}


def _wf_gates(fig: dict, g: Any) -> list[Gate]:
    def fmt(x: float, spec: str) -> str:
        return "n/a" if x != x else format(x, spec)
    return [Gate("min_trades", fig["trades"] >= g.min_trades, fmt(fig["trades"], ".0f"), f">= {g.min_trades}"),
            Gate("min_net_pnl_krw", fig["net_pnl_krw"] > g.min_net_pnl_krw, fmt(fig["net_pnl_krw"], ",.0f"),
                 f"> {g.min_net_pnl_krw:,.0f}"),
            Gate("min_deflated_sharpe", fig["deflated_sharpe"] >= g.min_deflated_sharpe,
                 fmt(fig["deflated_sharpe"], ".3f"), f">= {g.min_deflated_sharpe}"),
            Gate("max_drawdown_pct", fig["max_drawdown_pct"] <= g.max_drawdown_pct,
                 fmt(fig["max_drawdown_pct"], ".2f"), f"<= {g.max_drawdown_pct}")]


def evaluate(cfg: Any, store: Any, settings: Any = None) -> GateReport:
    """The gates of `cfg` against the runs in `store` (None = no evidence at all)."""
    from engine.i18n import t
    from engine.settings import settings_of
    g = settings if settings is not None else settings_of(cfg).live.gates
    sig = trade_signature(cfg)
    rep = GateReport(enabled=g.enabled, signature=sig)
    runs = store.runs() if store is not None else []
    same = [r for r in runs if r.get("status") == "done" and trade_signature(r.get("config") or {}) == sig]
    wfs = [r for r in same if r.get("mode") == WALKFORWARD_MODE]
    if not wfs:
        other = sum(1 for r in runs if r.get("mode") == WALKFORWARD_MODE)
        rep.gates.append(Gate("walkforward", False, t("gates.no_walkforward", n=other), t("gates.same_signature",
                                                                                          sig=sig)))
    else:
        best: list[Gate] | None = None
        for r in reversed(wfs):                        # newest first: the first that qualifies wins
            gates = _wf_gates(walkforward_figures(store, int(r["id"])), g)
            if best is None or sum(x.ok for x in gates) > sum(x.ok for x in best):
                best, rep.walkforward_run = gates, int(r["id"])
            if all(x.ok for x in gates):
                break
        rep.gates.append(Gate("walkforward", True, f"run {rep.walkforward_run}", t("gates.same_signature", sig=sig)))
        rep.gates.extend(best or [])
    papers = [r for r in same if r.get("mode") == "paper" and r.get("finished_ms")]
    hours = [((int(r["finished_ms"]) - int(r["started_ms"])) / 3_600_000, int(r["id"])) for r in papers]
    longest = max(hours, default=(0.0, None))
    rep.paper_run = longest[1]
    rep.gates.append(Gate("paper_hours", longest[1] is not None and longest[0] >= g.paper_hours,
                          f"{longest[0]:.2f} h" + (f" (run {longest[1]})" if longest[1] is not None else ""),
                          f">= {g.paper_hours} h"))
    return rep


def check(cfg: Any) -> GateReport:
    """Gates of `cfg` against its configured store (opened and closed here)."""
    import registry
    from engine.conf import plain
    from engine.settings import settings_of
    g = settings_of(cfg).live.gates
    if not g.enabled:
        return GateReport(enabled=False, signature=trade_signature(cfg))
    node = plain(cfg.get("store"))
    store = registry.build("store", node, path="store") if node else None
    path = getattr(getattr(store, "p", None), "path", None)
    if path and path != ":memory:" and not Path(path).expanduser().exists():
        store = None                  # no database yet = no evidence; checking must not create one
    try:
        return evaluate(cfg, store, g)
    except Exception as e:  # noqa: BLE001  an unreadable store is no evidence: refuse, saying why
        from engine.i18n import t
        return GateReport(enabled=True, signature=trade_signature(cfg),
                          gates=[Gate("store", False, f"{type(e).__name__}: {e}"[:200], t("gates.store_readable"))])
    finally:
        if store is not None:
            store.close()


def lines(rep: GateReport) -> list[str]:
    """People-facing lines: one per unmet gate with its measured value (or the gates-off notice)."""
    from engine.i18n import t
    if not rep.enabled:
        return [t("gates.off")]
    if rep.passed:
        return [t("gates.passed", wf=rep.walkforward_run, paper=rep.paper_run, sig=rep.signature)]
    return [t("gates.refused", n=len(rep.unmet))] + \
        [t("gates.unmet", gate=f"live.gates.{x.name}" if x.name not in ("walkforward", "store") else x.name,
           measured=x.measured, required=x.required) for x in rep.unmet]


def save(store: Any, run_id: int | None, rep: GateReport) -> None:
    """Store the gate outcome with the run (artifact `live-gates/<run id>`), gates off included."""
    if store is not None and run_id is not None:
        store.save_artifact(f"live-gates/{run_id}", "live_gates", rep.as_dict(), run_id=run_id)
