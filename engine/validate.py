"""Validate a composed config: every node through the registry, root keys, link checks, live-only rules."""
from __future__ import annotations

import importlib
import os
import pkgutil
import re
import sys
from typing import Any

from omegaconf import DictConfig, OmegaConf

import registry
from engine.i18n import pydantic_text, t
from engine.settings import GROUPS, KIND_GROUP, Settings  # noqa: F401  (GROUPS, KIND_GROUP: re-exported)

SECRET_KEY_RE = re.compile(r"(secret|access_key|password|passwd|api_key|token|private_key)", re.I)
LIVE_ENV = ("UPBIT_ACCESS_KEY", "UPBIT_SECRET_KEY")


def _root_problems(cfg: DictConfig) -> list[tuple[str, str]]:
    """Every root key that is not a component group, through the strict models of engine/settings.py."""
    try:
        Settings.from_cfg(cfg)
    except registry.ConfigError as e:
        return list(e.problems)
    return []


def _group_problems(cfg: DictConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for group, (kind, many) in GROUPS.items():
        node = cfg.get(group)
        if node is None:
            continue
        problems.extend(registry.validate(kind, node, path=group, many=many))
    return problems


def _secret_literals(raw: Any, path: str = "") -> list[str]:
    """Dotted paths of secret-looking keys holding a literal (not an ${oc.env:...} interpolation)."""
    out: list[str] = []
    if isinstance(raw, dict):
        for k, v in raw.items():
            sub = f"{path}.{k}" if path else str(k)
            if isinstance(v, (dict, list)):
                out.extend(_secret_literals(v, sub))
            elif str(k).endswith("_env"):
                continue      # the NAME of an environment variable holding a secret, not the secret
            elif SECRET_KEY_RE.search(str(k)) and v not in (None, "") and not (
                    isinstance(v, str) and v.strip().startswith("${oc.env:")):
                out.append(sub)
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            out.extend(_secret_literals(v, f"{path}[{i}]"))
    return out


def _standard_switches() -> set[str]:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from engine.conf import conf_dir
    path = conf_dir() / "killswitches" / "standard.yaml"
    if not path.exists():
        return set()
    was = GlobalHydra.instance().is_initialized()
    if was:  # composing inside a running Hydra app: read the set file through a fresh compose
        saved = GlobalHydra.instance().hydra
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
            cfg = compose("config", overrides=["killswitches=standard"])
        return {str(n.get("component")) for n in (cfg.get("killswitches") or {}).values()}
    finally:
        if was:
            GlobalHydra.instance().clear()
            GlobalHydra.instance().initialize(saved)


def live_problems(cfg: DictConfig, multirun: bool = False) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if multirun:
        problems.append(("mode", t("validate.live_multirun")))
    have = {str(n.get("component")) for n in (cfg.get("killswitches") or {}).values()}
    missing = sorted(_standard_switches() - have) or ([] if have else ["(none selected)"])
    if missing:
        problems.append(("killswitches", t("validate.live_switches", missing=", ".join(missing))))
    raw = OmegaConf.to_container(cfg, resolve=False)
    for path in _secret_literals(raw):
        problems.append((path, t("validate.secret_in_config")))
    from components.types.orders import MIN_ORDER_KRW
    if float((cfg.get("orders") or {}).get("min_order_krw", MIN_ORDER_KRW)) < MIN_ORDER_KRW:
        problems.append(("orders.min_order_krw", t("settings.live_min_order", min_krw=MIN_ORDER_KRW)))
    for var in LIVE_ENV:
        if not os.environ.get(var):
            problems.append(("exchange", t("validate.env_missing", var=var)))
    return problems


def link_problems(cfg: DictConfig) -> list[tuple[str, str]]:
    """Run every engine/checks/<area>.py CHECKS function; a crashing check is itself reported."""
    import engine.checks as pkg
    problems: list[tuple[str, str]] = []
    for mod in pkgutil.iter_modules(pkg.__path__, prefix="engine.checks."):
        for fn in getattr(importlib.import_module(mod.name), "CHECKS", []):
            try:
                problems.extend(fn(cfg))
            except Exception as e:  # a check must not hide the others
                problems.append(("", t("validate.check_crashed", check=f"{mod.name}.{fn.__name__}",
                                       detail=f"{type(e).__name__}: {e}")))
    return problems


def load_plugins(cfg: DictConfig) -> list[tuple[str, str]]:
    """Import the user's own component modules (`plugins: [pkg.module, path/to/file.py]`) so they register."""
    import importlib.util
    from pathlib import Path
    problems: list[tuple[str, str]] = []
    for i, ref in enumerate(cfg.get("plugins") or []):
        ref = str(ref)
        try:
            if ref.endswith(".py"):
                path = Path(ref).resolve()
                name = f"scalp_plugin_{path.stem}"
                if name not in sys.modules:
                    spec = importlib.util.spec_from_file_location(name, path)
                    if spec is None or not path.exists():
                        raise FileNotFoundError(f"no such file: {path}")
                    module = importlib.util.module_from_spec(spec)
                    sys.modules[name] = module
                    spec.loader.exec_module(module)
            else:
                importlib.import_module(ref)
        except Exception as e:
            problems.append((f"plugins[{i}]", t("validate.plugin_load", ref=ref, detail=f"{type(e).__name__}: {e}")))
    return problems


def validate_config(cfg: DictConfig, multirun: bool = False) -> list[tuple[str, str]]:
    """Every problem of a composed config (empty list = OK). Never raises on bad user input."""
    registry.load_all()
    plugin_problems = load_plugins(cfg)
    if plugin_problems:
        return plugin_problems
    try:
        OmegaConf.to_container(cfg, resolve=True)
    except Exception as e:  # unresolvable ${...}: name it and stop, nothing else can be checked
        detail = str(e).splitlines()[0]
        key = getattr(e, "full_key", "") or ""
        return [(str(key), t("validate.interpolation", detail=detail))]
    problems = _root_problems(cfg) + _group_problems(cfg)
    if not problems:
        problems += link_problems(cfg)
    if cfg.get("mode") == "live":
        problems += live_problems(cfg, multirun)
    return problems
