"""Link checks for money-moving modes (paper/live): refuse a bot that would sit inert or trade unsafely —
a recorded feed or simulated exchange, features the live feed cannot supply, untrained towers, and kill-switch
thresholds outside sane bounds."""
from __future__ import annotations

import inspect
from typing import Any

from omegaconf import DictConfig

import registry
from engine.conf import plain
from engine.i18n import t

MONEY_MODES = ("paper", "live")

# (component, param) -> the loosest threshold a money-moving session may run with. Looser values are legal in
# a backtest (to study them), but live they would let a broken bot lose most of the account before stopping.
LIVE_MAX = {
    ("daily_loss", "loss_pct"): 20.0,
    ("max_drawdown", "drawdown_pct"): 30.0,
    ("balance_watchdog", "drop_pct"): 20.0,
    ("consecutive_losses", "max_losses"): 50,
    ("api_error_rate", "max_rate"): 0.5,
    ("exposure_leverage", "max_ratio"): 2.0,
    ("balance_drift", "max_drift_pct"): 10.0,
    ("stale_data", "max_age_s"): 600.0,
    ("zombie_orders", "max_orders"): 50,
    ("store_errors", "max_errors"): 100,
}


def _money_mode(cfg: DictConfig) -> bool:
    return str(cfg.get("mode")) in MONEY_MODES


def _cls(kind: str, node: Any) -> Any:
    if not isinstance(node, dict) or not node.get("component"):
        return None
    try:
        return registry.get(kind, str(node["component"]))
    except registry.ConfigError:            # an unknown component is the registry pass's to report
        return None


def live_components(cfg: DictConfig) -> list[tuple[str, str]]:
    """paper/live read a live feed; live also sends orders through a real exchange client."""
    if not _money_mode(cfg):
        return []
    problems = []
    feed = plain(cfg.get("feed")) or {}
    cls = _cls("feed", feed)
    if cls is not None and not inspect.isasyncgenfunction(getattr(cls, "events", None)):
        problems.append(("feed", t("live.need_live_feed", component=feed.get("component"))))
    ex = plain(cfg.get("exchange")) or {}
    cls = _cls("exchange", ex)
    if str(cfg.get("mode")) == "live" and cls is not None and \
            not inspect.iscoroutinefunction(getattr(cls, "create_order", None)):
        problems.append(("exchange", t("live.need_real_exchange", component=ex.get("component"))))
    return problems


def live_feed_needs(cfg: DictConfig) -> list[tuple[str, str]]:
    """Every feature needing event kinds the live feed does not deliver (towers/labels: checks/tick_needs.py)."""
    if not _money_mode(cfg):
        return []
    feed_node = plain(cfg.get("feed")) or {}
    cls = _cls("feed", feed_node)
    if cls is None or not inspect.isasyncgenfunction(getattr(cls, "events", None)) or not hasattr(cls, "provides"):
        return []
    try:
        feed = registry.build("feed", feed_node, path="feed")
    except (registry.ConfigError, ValueError):
        return []                           # reported by the registry pass
    have = set(feed.provides([str(m) for m in plain(cfg.get("markets")) or []]))
    name = str(feed_node.get("component"))
    provides = "+".join(sorted(have)) or t("check.feed_no_data")
    problems = []
    for fid, node in (plain(cfg.get("features")) or {}).items():
        try:
            feature = registry.build("feature", node, path=f"features.{fid}")
        except (registry.ConfigError, ValueError, TypeError):
            continue                        # the registry pass reports it
        missing = set(feature.needs) - have
        if not missing:
            continue
        # candle features can build their bars from trades (bars_from=trade): say so when that would do
        can_trade = missing == {"candle"} and "trade" in have and hasattr(getattr(feature, "p", None), "bars_from")
        hint = (t("live.check.no_candles") if "candle" in missing else "") + \
            (t("live.check.bars_from_trade", feature=fid) if can_trade else "")
        problems.append((f"features.{fid}", t("live.check.feature_feed", feature=fid, needs="+".join(sorted(missing)),
                                              feed=name, provides=provides, hint=hint)))
    return problems


def trained_towers(cfg: DictConfig) -> list[tuple[str, str]]:
    """A trainable tower without a saved model would never say anything: the session would be inert."""
    if not _money_mode(cfg):
        return []
    problems = []
    for tid, node in (plain(cfg.get("towers")) or {}).items():
        cls = _cls("tower", node)
        if cls is not None and getattr(cls, "trainable", False) and not node.get("model_path"):
            problems.append((f"towers.{tid}", t("live.check.untrained", tower=tid, mode=cfg.get("mode"))))
    return problems


def killswitch_bounds(cfg: DictConfig) -> list[tuple[str, str]]:
    """Kill-switch thresholds looser than LIVE_MAX are refused where real money (or its rehearsal) is at stake."""
    if not _money_mode(cfg):
        return []
    problems = []
    for sid, node in (plain(cfg.get("killswitches")) or {}).items():
        if not isinstance(node, dict):
            continue
        for (component, param), most in LIVE_MAX.items():
            value = node.get(param)
            if node.get("component") == component and isinstance(value, (int, float)) and value > most:
                problems.append((f"killswitches.{sid}.{param}", t("live.check.switch_bound", value=f"{value:g}",
                                                                  most=f"{most:g}", mode=cfg.get("mode"))))
    return problems


CHECKS = [live_components, live_feed_needs, trained_towers, killswitch_bounds]
