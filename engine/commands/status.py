"""`scalp status [--json] [--port N | --url U] [overrides]`: a running paper/live session's /health, exit 0 when healthy."""
from __future__ import annotations

import json
import sys

from engine import exit_codes

HELP = "print a running paper/live session's health (/health)"
TIMEOUT_S = 5.0


def fetch_health(url: str) -> tuple[int, dict]:
    """(HTTP status, body) of `<url>/health`; raises OSError-like httpx errors when nothing answers."""
    import httpx
    r = httpx.get(url.rstrip("/") + "/health", timeout=TIMEOUT_S)
    try:
        body = r.json()
    except ValueError:
        body = {"status": "unhealthy", "error": r.text[:200]}
    return r.status_code, body


def render(body: dict) -> None:
    from engine.i18n import t
    ok = body.get("status") == "ok"
    print(t("status.line", status=t("status.ok" if ok else "status.unhealthy"), mode=body.get("mode", "?"),
            run_id=body.get("run_id", "-"), pid=body.get("pid", "-"), url=body.get("url", "-"),
            uptime_s=body.get("uptime_s", "-")))
    for name, check in (body.get("checks") or {}).items():
        detail = " ".join(f"{k}={v}" for k, v in check.items() if k != "ok")
        print(t("status.check", name=name, mark="✓" if check.get("ok") else "✗", detail=detail))
    eq = body.get("equity_krw")
    print(t("status.account", equity=f"{eq:,.0f}" if isinstance(eq, (int, float)) else "-",
            positions=body.get("positions", "-"), orders=body.get("open_orders", "-"),
            state=body.get("trading_state") or "-"))


def show(url: str, as_json: bool, others: list[str] | None = None) -> int:
    from engine.i18n import t
    try:
        code, body = fetch_health(url)
    except Exception as e:  # noqa: BLE001  connection refused, timeout: the session is gone or elsewhere
        print(t("status.unreachable", url=url, error=type(e).__name__), file=sys.stderr)
        return exit_codes.NOT_RUNNING
    if others:
        print(t("status.others", n=len(others) + 1, ports=", ".join(others)), file=sys.stderr)
    if as_json:
        print(json.dumps(body, ensure_ascii=False))
    else:
        render(body)
    return exit_codes.OK if code == 200 and body.get("status") == "ok" else exit_codes.CHECK_FAILED


def _found(cfg, as_json: bool) -> int:
    from engine.i18n import t
    from engine.monitor.sessions import list_sessions, sessions_dir, url_of
    folder = sessions_dir(cfg)
    running = list_sessions(folder)
    if not running:
        print(t("status.none", folder=folder), file=sys.stderr)
        return exit_codes.NOT_RUNNING
    return show(url_of(running[0]), as_json, [str(s["port"]) for s in running[1:]])


def main(argv: list[str]) -> int:
    from engine.i18n import t
    as_json, url, rest = False, None, []
    it = iter(argv)
    for a in it:
        if a == "--json":
            as_json = True
        elif a in ("--port", "--url") or a.startswith(("--port=", "--url=")):
            flag, _, val = a.partition("=")
            val = val or next(it, "")
            if not val or (flag == "--port" and not val.isdigit()):
                print(t("status.bad_option", flag=flag, want="1-65535" if flag == "--port" else "http://host:port"),
                      file=sys.stderr)
                return exit_codes.CONFIG
            url = f"http://127.0.0.1:{int(val)}" if flag == "--port" else val
        else:
            rest.append(a)
    if url is not None:
        for a in rest:                      # ui.lang=en still applies without a config
            if a.startswith("ui.lang=") and a.split("=", 1)[1] in ("ko", "en"):
                from engine.i18n import set_lang
                set_lang(a.split("=", 1)[1])
        return show(url, as_json)
    from engine.app import hydra_command
    return hydra_command("status", [*rest, "hydra.output_subdir=null"], lambda cfg: _found(cfg, as_json),
                         json_out=as_json)
