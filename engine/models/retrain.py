"""`scalp retrain`: fit a candidate on the newest data's last walk-forward fold, price it and the deployed
model with the engine replay on that fold's test window, promote it only when better by the configured margin."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.models.bundle import config_signature, load_entry, load_towers, manifest, save_bundle
from engine.models.registry import ModelRegistry

KEPT_METRICS = ("trades", "net_pnl_krw", "gross_pnl_krw", "fees_krw", "win_rate", "sharpe", "max_drawdown",
                "deflated_sharpe", "deflated_sharpe_trials", "test_start", "test_end", "auc")


@dataclass
class Outcome:
    """One class's retrain: the candidate's registry id and figures, the deployed model's (None if none),
    whether the candidate was promoted and why (message key + values), the ids pruned."""
    market_class: str
    signature: str
    candidate_id: int
    candidate: dict
    deployed_id: int | None
    deployed: dict | None
    promoted: bool
    why: str
    why_args: dict = field(default_factory=dict)
    pruned: list = field(default_factory=list)


def evaluate(cfg: Any, streams: dict, ds: Any, fold: Any, towers: dict, entry: Any, min_trades: int) -> dict:
    """The engine's figures of `towers` + `entry` on the fold's test window: the data replayed through one
    engine loop over the simulated exchange, the models installed at the test start (as the walk-forward
    prices its folds), round trips entered in the window counted (net after fees, spread and slippage)."""
    from engine.walkforward import engine_figures
    from engine.wf_backtest import replay_folds
    loop = replay_folds(_silent(cfg), streams, ds, [(fold, {}, towers, entry, None)])
    b = fold.bounds_ms
    span = (int(b["test_start"]), int(b["test_end"]))
    mine = [tr for tr in loop.ledger.data.trades if span[0] <= int(tr["entry_ts_ms"]) < span[1]]
    out = engine_figures({"test_start": span[0], "test_end": span[1]}, mine, span,
                         loop.ledger.data.initial_krw, min_trades)
    return out


def _silent(cfg: Any) -> Any:
    """The config without alert channels: a simulated replay's kill-switch trips are no operator news (the
    retrain outcome is alerted once, by the command)."""
    import copy

    from omegaconf import DictConfig, open_dict
    if not isinstance(cfg, DictConfig) or not cfg.get("alerts"):
        return cfg
    out = copy.deepcopy(cfg)
    with open_dict(out):
        out.alerts = {}
    return out


def deflated(cfg: Any, store: Any, figures: dict, min_trades: int, record: bool) -> dict:
    """`figures` with the deflated Sharpe of its hourly returns given the store's trials on that span
    (`record`: this evaluation is recorded as a trial first, as every backtest is)."""
    from engine import trials
    span = (figures["test_start"], figures["test_end"])
    returns = figures.get("hourly_returns") or []
    if record:
        got = trials.record_and_deflate(store, "retrain", cfg, returns, span, figures["trades"], None, min_trades)
    else:
        others = store.trials_overlapping(*span) if store is not None else []
        got = trials.deflate(returns, others, trials.config_hash(cfg), figures["trades"], min_trades)
    return {**figures, "deflated_sharpe": got.get("deflated_sharpe"),
            "deflated_sharpe_trials": got.get("deflated_sharpe_trials")}


def decide(cand: dict, dep: dict | None, rs: Any) -> tuple[bool, str, dict]:
    """(promote, message key, its values): no deployed model -> promote; else the candidate's net PnL must
    beat the deployed one's by min_improvement_krw and, where both have a deflated Sharpe, by
    min_improvement_dsr."""
    if dep is None:
        return True, "retrain.why.first", {}
    gain = float(cand["net_pnl_krw"]) - float(dep["net_pnl_krw"])
    args = {"cand": f"{cand['net_pnl_krw']:+,.0f}", "dep": f"{dep['net_pnl_krw']:+,.0f}", "gain": f"{gain:+,.0f}",
            "margin": f"{rs.min_improvement_krw:,.0f}"}
    if gain < rs.min_improvement_krw:
        return False, "retrain.why.pnl_short", args
    c, d = cand.get("deflated_sharpe"), dep.get("deflated_sharpe")
    if _finite(c) and _finite(d):
        args.update(cdsr=f"{c:.3f}", ddsr=f"{d:.3f}", dmargin=f"{rs.min_improvement_dsr:.3f}")
        if c - d < rs.min_improvement_dsr:
            return False, "retrain.why.dsr_short", args
        return True, "retrain.why.better_dsr", args
    return True, "retrain.why.better", args


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and math.isfinite(v)


def retrain_class(cfg: Any, store: Any, out_dir: Path, say: Any = None) -> Outcome:
    """Retrain one class (the markets and market_class of `cfg`): candidate on the last fold of the
    walk-forward over the newest data, both models priced on its test window, promotion, pruning."""
    from components.types.signature import params_hash
    from engine.backtest import build_universe, load_replay
    from engine.costs import build_cost_model
    from engine.exit_sim import exit_chain
    from engine.ensemble import build_fusion
    from engine.settings import settings_of
    from engine.walkforward import build_dataset, build_entry, build_towers, feature_nodes, label_of, make_folds, \
        run_fold
    s = settings_of(cfg)
    wf, rs, cls = s.walkforward, s.retrain, s.market_class
    streams, _ = load_replay(cfg, build_universe(cfg))
    _, label, label_node = label_of(cfg)
    costs = build_cost_model(cfg)
    ds = build_dataset(streams, feature_nodes(cfg), label, wf.stride_bars, spread_window_bars=costs.spread_window_bars)
    fold = make_folds(ds, wf)[-1]                                        # the newest test window
    exits = exit_chain(cfg, costs) if cfg.get("exits") else None
    _, towers, entry, _ = run_fold(ds, fold, lambda: build_towers(cfg, wf.seed, "config"), lambda: build_entry(cfg),
                                   wf, f"{label_node.get('component')}:{params_hash(label_node)}",
                                   make_fusion=lambda: build_fusion(cfg), market_class=cls, costs=costs, exits=exits)
    sig = config_signature(cfg)
    folder = out_dir / cls / time.strftime("%Y%m%d-%H%M%S")
    while folder.exists():
        folder = folder.with_name(folder.name + "x")
    man = save_bundle(folder, towers, entry, (ds.X[fold.train], ds.names), signature=sig, market_class=cls,
                      markets=list(cfg.markets), bounds_ms=dict(fold.bounds_ms))
    if say:
        say("retrain.fitted", cls=cls, path=folder)
    reg = ModelRegistry(store)
    dep_row = reg.deployed(cls, sig)
    dep = None
    if dep_row is not None and all(Path(p).exists() for p in dep_row["towers"].values()):
        dman = manifest(dep_row["path"]) if (Path(dep_row["path"]) / "model.json").exists() else {}
        dep = evaluate(cfg, streams, ds, fold, load_towers(cfg, dep_row["towers"], ds.names),
                       load_entry(cfg, dman.get("entry_map")), wf.min_trades)
        dep = deflated(cfg, store, dep, wf.min_trades, record=False)
    cand = evaluate(cfg, streams, ds, fold, load_towers(cfg, man["towers"], ds.names),
                    load_entry(cfg, man.get("entry_map")), wf.min_trades)
    cand = deflated(cfg, store, cand, wf.min_trades, record=True)
    promote, why, args = decide(cand, dep, rs)
    keep = {k: cand.get(k) for k in KEPT_METRICS}
    artifact = f"model/retrain/{cls}/{folder.name}"
    store.save_artifact(artifact, "model", {"signature": sig, "market_class": cls, "metrics": _plain(keep)},
                        path=str(folder))
    cid = reg.add(path=str(folder), artifact=artifact, signature=sig, market_class=cls, towers=man["towers"],
                  metrics=_plain({**keep, "vs_deployed": dep_row["id"] if dep_row else None,
                                  "deployed_net_pnl_krw": dep.get("net_pnl_krw") if dep else None}))
    if promote:
        reg.promote(cid, note="retrain")
    pruned = reg.prune(cls, sig, rs.keep)
    return Outcome(cls, sig, cid, keep, dep_row["id"] if dep_row else None,
                   {k: dep.get(k) for k in KEPT_METRICS} if dep else None, promote, why, args, pruned)


def _plain(d: dict) -> dict:
    from engine.loop.lifecycle import jsonable
    return jsonable(d)


def alert(cfg: Any, text: str, level: str, fields: dict) -> int:
    """Send `text` through every configured alert channel (cfg.alerts, built as the risk manager builds
    them); a failing channel is skipped. Returns how many took it."""
    import registry
    from engine.conf import plain
    sent = 0
    for aid, node in (plain(cfg.get("alerts")) or {}).items():
        try:
            ch = registry.build("alert", node, path=f"alerts.{aid}")
            sent += bool(ch.send(text, level=level, fields=fields))
        except Exception:  # noqa: BLE001  an alert channel never decides the outcome
            continue
    return sent
