"""The live dashboard: one self-contained HTML page (inline CSS/JS, embedded font, no network) in `ui.lang`."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

TEMPLATE = Path(__file__).with_name("dashboard.html")
LABELS = ("title", "equity", "pnl", "pnl_realized", "pnl_unrealized", "fills", "decisions", "open_orders", "events",
          "curve", "positions", "switches", "trips", "feed", "recent_decisions", "state", "connected",
          "disconnected", "stopped", "updated", "none", "market", "side", "type", "price", "volume", "cost", "value",
          "status", "age_s", "switch", "reason", "reasons", "action", "score", "time", "tripped", "ok", "last_event",
          "lag_s", "reconnects")


@lru_cache(maxsize=1)
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def _json_script(obj: object) -> str:
    """JSON safe inside <script>: no `</` can close the tag early."""
    return json.dumps(obj, ensure_ascii=False).replace("</", "<\\/")


def labels(lang: str) -> dict[str, str]:
    """The page's words in `lang` (the session's ui.lang, whatever language this process prints in)."""
    from engine.i18n import catalog
    texts = catalog()
    return {k: texts[f"monitor.page.{k}"].get(lang, texts[f"monitor.page.{k}"]["en"]) for k in LABELS}


def render(state: dict, lang: str) -> str:
    """The page with `state` rendered at load (so it shows numbers without a stream) and /events updating it."""
    import html
    font = ""
    if lang == "ko":
        from engine.report.html import font_face
        font = font_face()
    lab = labels(lang)
    return (_template().replace("__FONT__", font).replace("__LANG__", lang)
            .replace("__TITLE__", html.escape(lab["title"]))
            .replace("__LABELS__", _json_script(lab)).replace("__STATE__", _json_script(state)))
