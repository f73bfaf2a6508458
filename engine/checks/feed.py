"""Link check: a `replay` feed reading files needs its data path to exist (one clear line, before anything runs)."""
from __future__ import annotations

from omegaconf import DictConfig

from engine.conf import plain
from engine.i18n import t


def feed_path_exists(cfg: DictConfig) -> list[tuple[str, str]]:
    node = plain(cfg.get("feed"))
    if not isinstance(node, dict) or node.get("component") != "replay" or node.get("source", "files") != "files":
        return []
    from components.types.feed.paths import resolve_path
    path = resolve_path(str(node.get("path", "examples/data")))
    return [] if path.exists() else [("feed.path", t("data.check.path_missing", path=str(path)))]


CHECKS = [feed_path_exists]
