"""`scalp train [--json] [--cal-days=N ...] [overrides]`: fit the configured towers, calibrate, save each one."""
from __future__ import annotations

import json

import numpy as np

from engine.i18n import t

HELP = "train + calibrate the configured towers and save each with its signature"
MIN_FOLLOW_UP_MS = 24 * 3600 * 1000     # less data than a day after training: no backtest worth suggesting


def split(cfg, wf):
    """(dataset, train rows, calibration rows, label id): train on everything before the last calibration
    window (purged, minus an embargo >= the label horizon), calibrate on that window."""
    from components.types.signature import params_hash
    from engine.walkforward import DAY_MS, build_dataset, feature_nodes, label_of, load_streams
    _, label, label_node = label_of(cfg)
    ds = build_dataset(load_streams(cfg), feature_nodes(cfg), label, wf.stride_bars)
    span = int(ds.ts_ms[-1] - ds.ts_ms[0])
    cal_ms = int(wf.cal_days * DAY_MS) if wf.cal_days else span // 5
    emb = max(ds.horizon_ms, int(wf.embargo_ms or 0))
    cal0 = int(ds.ts_ms[-1]) + 1 - cal_ms
    train = np.flatnonzero((ds.ts_ms < cal0 - emb) & (ds.end_ms < cal0))      # purged before the embargo
    cal = np.flatnonzero(ds.ts_ms >= cal0)
    return ds, train, cal, f"{label_node.get('component')}:{params_hash(label_node)}"


def train_all(cfg, wf) -> tuple[dict, dict]:
    """Every trainable tower of cfg.towers (engine/ensemble.py), exactly as configured (boosting type
    included, so the saved signature matches the config); a fusion with `fit` learns on the calibration
    outputs. Returns (towers, info)."""
    from engine import ensemble
    from engine import evaluation as ev
    from engine.walkforward import build_towers
    tick = train_tick_towers(cfg, wf)                   # hfp: trained on the feed's trades + books
    if tick is not None and not ensemble.tower_nodes(cfg)[0].keys() & set(plain_towers(cfg)):
        return tick                                     # only tick towers selected: no bar model to train
    ds, train, cal, label_id = split(cfg, wf)
    towers = build_towers(cfg, wf.seed, "config")
    market_class = str(cfg.get("market_class", "majors"))
    info: dict = {"train_rows": int(len(train)), "cal_rows": int(len(cal)), "towers": {},
                  "data_span_ms": [int(ds.ts_ms[0]), int(ds.ts_ms[-1])],
                  "towers_skipped": ensemble.tower_nodes(cfg)[1]}
    p_cal = {}
    for tid, tower in towers.items():
        seconds = ensemble.fit_tower(tower, ds, train, cal, label_id)
        p_cal[tid] = ensemble.predict_tower(tower, ds, {"cal": cal})["cal"]
        info["towers"][tid] = {"seconds": round(seconds, 2), "cal_auc": ev.auc(ds.y[cal], p_cal[tid]),
                               "params": tower.p.model_dump()}   # (ECE on the fold it calibrated on says nothing)
        if hasattr(tower, "feature_importance"):
            info["towers"][tid]["feature_importance"] = tower.feature_importance()
    if len(towers) > 1:
        fusion = ensemble.build_fusion(cfg)
        ensemble.fit_fusion(fusion, p_cal, ds.y[cal], ds.exit_ret[cal], market_class)
        info["fusion_weights"] = ensemble.fusion_weights(fusion, list(towers), market_class)
    info["drift_reference"] = (ds.X[train], ds.names)     # saved next to the models by main()
    if tick is not None:                                 # mixed: tick towers join (their rows are seconds)
        towers.update(tick[0])
        info["towers"].update(tick[1]["towers"])
        info["towers_skipped"] = {k: v for k, v in info["towers_skipped"].items() if k not in tick[0]}
    first = info["towers"][next(iter(towers))]
    info.update(seconds=round(sum(v["seconds"] for v in info["towers"].values()), 2), cal_auc=first["cal_auc"])
    return towers, info


# -- tick towers (hfp) -----------------------------------------------------------------------------------
def plain_towers(cfg) -> dict:
    from engine.conf import plain
    return plain(cfg.get("towers")) or {}


def train_tick_towers(cfg, wf) -> tuple[dict, dict] | None:
    """Towers that need trades + books (`needs_ticks`: hfp), fitted on the configured feed's trades and books,
    one row a second of the configured features (engine/tick_train.py). None when none is selected.
    A feed without books raises (the tower says so)."""
    import registry
    from engine.ensemble import build_tower_node
    from engine.conf import plain
    from engine.walkforward import feature_nodes
    from engine.tick_train import fit_on_ticks
    nodes = {tid: dict(n) for tid, n in plain_towers(cfg).items()
             if getattr(registry.get("tower", str((n or {}).get("component", tid)), path=f"towers.{tid}"),
                        "needs_ticks", False)}
    if not nodes:
        return None
    feed = plain(cfg.get("feed")) or {"component": "replay"}
    streams = registry.build("feed", {**feed, "kinds": ["trade", "book"]}, path="feed").load(
        list(cfg.markets) if cfg.get("markets") else None)
    towers, info = {}, {"towers": {}, "towers_skipped": {}}
    for tid, node in nodes.items():
        tower = build_tower_node(tid, node, wf.seed)
        got = fit_on_ticks(tower, streams, feature_nodes(cfg))
        towers[tid] = tower
        info["towers"][tid] = {"seconds": got["seconds"], "cal_auc": got["cal_auc"], "params": tower.p.model_dump(),
                               "markets": got["markets"]}
        info.update(train_rows=got["train_rows"], cal_rows=got["cal_rows"], data_span_ms=got["data_span_ms"],
                    drift_reference=(got["X_train"], got["names"]), drift_stride=1)   # a row a second, as live
    first = info["towers"][next(iter(towers))]
    info.update(seconds=round(sum(v["seconds"] for v in info["towers"].values()), 2), cal_auc=first["cal_auc"])
    return towers, info


def tick_walkforward(cfg, wf) -> dict | None:
    """`scalp walkforward` when every selected trainable tower needs ticks (hfp): purged folds over the feed's
    one-second rows (engine/tick_train.walk_forward); None otherwise (the bar walk-forward runs)."""
    import registry
    from engine import ensemble
    from engine.conf import plain
    from engine.ensemble import build_tower_node
    from engine.walkforward import feature_nodes
    from engine.tick_train import walk_forward
    towers = plain_towers(cfg)
    ticks = {tid: dict(n) for tid, n in towers.items()
             if getattr(registry.get("tower", str((n or {}).get("component", tid)), path=f"towers.{tid}"),
                        "needs_ticks", False)}
    if not ticks or ensemble.tower_nodes(cfg)[0].keys() & set(towers):
        return None
    feed = plain(cfg.get("feed")) or {"component": "replay"}
    streams = registry.build("feed", {**feed, "kinds": ["trade", "book"]}, path="feed").load(
        list(cfg.markets) if cfg.get("markets") else None)
    return {"ticks": True, "towers": {tid: walk_forward(lambda tid=tid, n=n: build_tower_node(tid, n, wf.seed),
                                                        streams, feature_nodes(cfg), wf.folds)
                                      for tid, n in ticks.items()}}


def show_tick_walkforward(result: dict, as_json: bool) -> int:
    from engine import artifacts
    if as_json:
        print(json.dumps(artifacts.clean(result)))
        return 0
    for tid, folds in result["towers"].items():
        for f in folds:
            print(f"{tid} " + t("wf.tick_fold", fold=f["fold"], train=f["train_rows"], test=f["test_rows"],
                                auc="–" if not np.isfinite(f["auc"]) else f"{f['auc']:.3f}",
                                hit="–" if not np.isfinite(f["hit_rate"]) else f"{f['hit_rate']:.3f}")
                  + (f" ({f['skipped']})" if f.get("skipped") else ""))
    return 0


def train(cfg, wf) -> tuple[object, dict]:
    """The first tower that reports feature importance (else the first one) and the info of `train_all`."""
    towers, info = train_all(cfg, wf)
    tid = next((k for k, tw in towers.items() if hasattr(tw, "feature_importance")), next(iter(towers)))
    tinfo = info["towers"][tid]
    return towers[tid], {**info, "params": tinfo["params"], "feature_importance": tinfo.get("feature_importance", {})}


def _show(cfg, flags: dict, got) -> int:
    from engine import artifacts
    towers, info = got
    from engine.drift import save_reference
    out = artifacts.run_dir(cfg, "train")
    paths = {tid: artifacts.save_model(cfg, tw, tid, out) for tid, tw in towers.items() if hasattr(tw, "save")}
    from engine.settings import settings_of
    ref = save_reference(out / "model" / "drift_reference.npz", *info.pop("drift_reference"),
                         ref_stride=info.pop("drift_stride", settings_of(cfg).walkforward.stride_bars))  # live window's span
    if flags.get("json"):
        print(json.dumps(artifacts.clean({**info, "model_paths": {k: str(v) for k, v in paths.items()},
                                          "drift_reference": str(ref),
                                          "signatures": {k: towers[k].signature for k in paths}})))
        return 0
    for tid, ti in info["towers"].items():
        print(f"{tid}: " + t("train.done", train=info["train_rows"], cal=info["cal_rows"], seconds=ti["seconds"],
                             auc=f"{ti['cal_auc']:.4f}"))
    for path in [*paths.values(), ref]:
        print(t("run.saved", path=path))
    if paths:
        after = max(towers[k].signature["span_ms"][1] for k in paths) + 1
        feed_end = ((cfg.get("feed") or {}).get("end")) if hasattr(cfg, "get") else None
        print(follow_up(after, info["data_span_ms"], ",".join(towers),
                        " ".join(f"towers.{k}.model_path={v}" for k, v in paths.items()), feed_end))
    return 0


def follow_up(after_ms: int, data_span_ms: list[int], towers: str, paths: str, feed_end=None) -> str:
    """The backtest to run next: on the data after the training span when there is enough of it (or when
    training stopped at feed.end: the data after it); else how to keep the last fifth out of training."""
    import datetime as dt
    first, last = data_span_ms
    if feed_end not in (None, ""):
        return t("train.use_after_end", towers=towers, paths=paths, after=after_ms, end=feed_end)
    if last - after_ms >= MIN_FOLLOW_UP_MS:
        return t("train.use_many", towers=towers, paths=paths, after=after_ms)
    cut_ms = first + (last - first) * 4 // 5
    cut = dt.datetime.fromtimestamp(cut_ms // 3_600_000 * 3600, dt.timezone.utc).strftime("%Y-%m-%dT%H:00")
    return t("train.no_follow_up", left_min=max(0, (last - after_ms) // 60_000), cut=cut, towers=towers)


def main(argv: list[str]) -> int:
    from engine.commands.walkforward import flagged_command, params_from
    from engine.models.per_class import per_class_show, per_class_work    # classes.per_class: one model per class
    return flagged_command("train", argv, per_class_work(lambda cfg, flags: train_all(cfg, params_from(cfg))),
                           per_class_show(_show))
