"""Link check: a tower loading a saved model (`model_path`) must match the config's signature (both shown)."""
from __future__ import annotations

import json

from omegaconf import DictConfig

import registry
from engine.conf import plain
from engine.i18n import t

SHOWN = ("component", "params_hash", "label", "feature_names")


def expected_signature(cfg: DictConfig, tid: str, node: dict) -> dict:
    """What the config would train: component, params hash, feature columns, label id."""
    from components.types.signature import make_signature, params_hash
    cls, params = registry.parse_params("tower", node, path=f"towers.{tid}")
    names: list[str] = []
    if cfg.get("features"):
        try:
            from engine.features import FeatureSet
            names = FeatureSet.from_config(cfg.features).names
        except registry.ConfigError:
            names = []                    # the feature pass reports it
    labels = plain(cfg.get("labels")) or {}
    label = ""
    if labels:
        lnode = next(iter(labels.values()))
        label = f"{lnode.get('component')}:{params_hash(lnode)}"
    if hasattr(cls, "expected_signature"):
        return cls.expected_signature(params, names, label)
    return make_signature(str(node["component"]), params, names, None, label, ())


def model_signatures(cfg: DictConfig) -> list[tuple[str, str]]:
    from components.types.signature import compare_signatures, read_signature
    problems = []
    for tid, node in (plain(cfg.get("towers")) or {}).items():
        if not isinstance(node, dict) or not node.get("model_path"):
            continue
        path = f"towers.{tid}.model_path"
        try:
            actual = read_signature(node["model_path"])
        except (OSError, ValueError) as e:
            problems.append((path, t("check.model_missing", detail=str(e))))
            continue
        try:
            expected = expected_signature(cfg, tid, node)
        except registry.ConfigError:
            continue                      # the registry pass reports bad params
        diff = compare_signatures(expected, actual)
        overlap = _backtest_overlap(cfg, actual)
        if overlap:
            problems.append((path, overlap))
        if diff:
            problems.append((path, t("check.model_signature", problems="; ".join(diff),
                                     expected=json.dumps({k: expected.get(k) for k in SHOWN}),
                                     actual=json.dumps({k: actual.get(k) for k in SHOWN}))))
    return problems


def _backtest_overlap(cfg: DictConfig, sig: dict) -> str:
    """A backtest over the model's own training/calibration span is look-ahead: refuse it."""
    span = sig.get("span_ms")
    if str(cfg.get("mode", "backtest")) != "backtest" or not span:
        return ""
    from components.types.feed.paths import to_ms
    feed = plain(cfg.get("feed")) or {}
    start, end = to_ms(feed.get("start")), to_ms(feed.get("end"))
    if (end is not None and end <= span[0]) or (start is not None and start > span[1]):
        return ""
    return t("check.model_in_sample", start=span[0], end=span[1], after=span[1] + 1)


def class_model_signatures(cfg: DictConfig) -> list[tuple[str, str]]:
    """The same checks for the per-class models of `classes.models` (class -> tower id -> folder)."""
    towers = plain(cfg.get("towers")) or {}
    out = []
    for cls, paths in ((plain(cfg.get("classes")) or {}).get("models") or {}).items():
        for tid, folder in (paths or {}).items():
            if tid not in towers:
                out.append((f"classes.models.{cls}.{tid}", t("check.class_model_tower", tower=tid,
                                                              towers=", ".join(towers))))
                continue
            one = {"towers": {tid: {**(towers[tid] or {}), "model_path": folder}}}
            view = {k: cfg.get(k) for k in ("features", "labels", "mode", "feed")}
            out += [(f"classes.models.{cls}.{tid}", msg) for _, msg in model_signatures(DictConfig({**view, **one}))]
    return out


CHECKS = [model_signatures, class_model_signatures]
