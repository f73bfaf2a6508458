"""`scalp validate [overrides]`: compose exactly the config a run would, validate it, start nothing."""
from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

from engine.app import hydra_command
from engine.i18n import t
from engine.validate import GROUPS

HELP = "compose and validate the config (starts nothing)"


def summary_lines(cfg: DictConfig, choices: dict[str, str] | None = None) -> list[str]:
    """A short summary: mode, preset, markets, and each group's choice (multi-select as lists)."""
    choices = choices or {}
    lines = [t("validate.summary", mode=cfg.get("mode"), preset=choices.get("preset", cfg.get("market_class")),
               markets=",".join(cfg.get("markets") or []))]
    for group, (_, many) in GROUPS.items():
        node = cfg.get(group)
        if node is None:
            continue
        if many:
            choice = "[" + ", ".join(f"{k}:{v.get('component')}" for k, v in node.items()) + "]"
        else:
            choice = str(node.get("component"))
        lines.append(t("validate.group", group=group, choice=choice))
    return lines


def job(cfg: DictConfig) -> int:
    # The config already passed engine.validate before Hydra started this job; say so with a summary.
    from hydra.core.hydra_config import HydraConfig
    try:
        choices = dict(HydraConfig.get().runtime.choices)
    except ValueError:
        choices = {}
    print(t("validate.ok"))       # (under -m the runner printed this job's header already)
    for line in summary_lines(cfg, {k: str(v) for k, v in choices.items() if v is not None}):
        print(line)
    if cfg.get("mode") == "live":   # a warning here: the store's evidence can change before `scalp live` refuses
        from engine.live import gates
        for line in gates.lines(gates.check(cfg)):
            print(t("gates.validate_note", line=line))
    return 0


def main(argv: list[str]) -> int:
    return hydra_command("validate", argv, job)
