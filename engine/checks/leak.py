"""`scalp leakcheck`'s five checks: alignment, shuffled-label null, volatility reference, label probe, warm-up."""
from __future__ import annotations

import math

import numpy as np

# leakcheck refits towers many times: each configured value is capped at these (keys a tower lacks are skipped)
SMALL_TOWERS = {"iterations": 60, "depth": 4, "epochs": 2, "max_windows_per_epoch": 64, "d_model": 16,
                "hidden": 16, "max_iter": 60}
MIN_JUMP = 0.15           # probe: the label-as-column run's mean AUC must beat the honest one by this ...
MIN_LEAKED_AUC = 0.90     # ... and be near-perfect (the label itself is a column)
FAILING = ("alignment", "null", "probe", "warmup")      # the volatility reference informs, it never fails
ORDER = ("alignment", "null", "volatility", "probe", "warmup")


def small_towers(cfg):
    """A copy of cfg whose tower settings are capped at SMALL_TOWERS (Plain boosting)."""
    from omegaconf import OmegaConf
    plain = OmegaConf.to_container(cfg, resolve=True)
    for node in (plain.get("towers") or {}).values():
        if not isinstance(node, dict):
            continue
        for k, cap in SMALL_TOWERS.items():
            if isinstance(node.get(k), (int, float)) and not isinstance(node.get(k), bool):
                node[k] = min(node[k], cap)
        if "boosting_type" in node:
            node["boosting_type"] = "Plain"
    return OmegaConf.create(plain)


def probe(honest: dict, leaked: dict) -> dict:
    """d: with the label pasted in as a column, the harness must see a near-perfect AUC."""
    h, lk = honest["summary"]["auc"], leaked["summary"]["auc"]
    ok = bool(lk - h >= MIN_JUMP and lk >= MIN_LEAKED_AUC)
    return {"check": "probe", "passed": ok, "culprits": [] if ok else ["harness blind to a pasted label"],
            "numbers": {"auc_honest": h, "auc_label_column": lk, "jump": lk - h, "min_jump": MIN_JUMP,
                        "min_leaked_auc": MIN_LEAKED_AUC}}


def volatility(honest: dict) -> dict:
    """c: each tower's mean test AUC beside the volatility-only model's (ATR% alone) on the same folds."""
    rows = honest["folds"]

    def mean(key):
        v = [r.get(key) for r in rows]
        v = [x for x in v if isinstance(x, float) and math.isfinite(x)]
        return float(np.mean(v)) if v else math.nan
    towers = {tid: mean(f"auc_{tid}") for tid in (rows[0].get("towers") or [])} if rows else {}
    ref = mean("auc_volatility_ref")
    return {"check": "volatility", "passed": True, "culprits": [],
            "numbers": {"auc_volatility_ref": ref, "auc_fused": mean("auc"), **{f"auc_{t}": a for t, a in towers.items()},
                        "auc_direction": mean("auc_direction"),
                        "towers_not_above_ref": [t for t, a in towers.items() if not a > ref]}}


def run_all(cfg, wf) -> list[dict]:
    """Every check on the configured data; returns one dict per check in ORDER."""
    from engine import walkforward
    from engine.checks.leak_align import check_alignment
    from engine.checks.leak_null import check_null
    from engine.checks.leak_warmup import check_warmup
    small = small_towers(cfg)
    streams = walkforward.load_streams(cfg)
    feats = walkforward.feature_nodes(cfg)
    _, label, _ = walkforward.label_of(cfg)
    out = {"warmup": check_warmup(streams, feats),
           "alignment": check_alignment(small, streams, feats, label, wf.stride_bars, wf.seed)}
    honest = walkforward.run_walkforward(small, wf, streams=streams)
    leaked = walkforward.run_walkforward(small, wf.model_copy(update={"leak": True}), streams=streams)
    out["probe"], out["volatility"] = probe(honest, leaked), volatility(honest)
    ds = walkforward.build_dataset(streams, feats, label, wf.stride_bars)
    out["null"] = check_null(small, ds, walkforward.make_folds(ds, wf), wf, wf.seed)
    return [out[k] for k in ORDER]


def exit_code(checks: list[dict]) -> int:
    return int(any(not c["passed"] for c in checks if c["check"] in FAILING))
