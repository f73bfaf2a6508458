"""Shared argv handling and output of `scalp paper|live|cancel-all`."""
from __future__ import annotations

import re
from typing import Any

def pop_duration(argv: list[str]) -> tuple[list[str], float | None]:
    """`--duration-s N` -> seconds (None = not given); `run.duration_s=N` is an ordinary override."""
    out, duration = [], None
    args = list(argv)
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--duration-s" and i + 1 < len(args):
            duration = float(args[i + 1])
            i += 2
            continue
        if a.startswith("--duration-s="):
            duration = float(a.split("=", 1)[1])
        else:
            out.append(a)
        i += 1
    return out, duration


def duration_of(cfg: Any, given: float | None) -> float:
    if given is not None:
        return given
    from engine.settings import settings_of
    return settings_of(cfg).run.duration_s


def force_mode(argv: list[str], want: str) -> tuple[list[str], str | None]:
    """Append `mode=<want>` unless given; (argv, None) or (argv, the conflicting mode)."""
    for a in argv:
        m = re.fullmatch(r"\+*mode=(\w+)", a)
        if m:
            return argv, (None if m.group(1) == want else m.group(1))
    return [*argv, f"mode={want}"], None


def print_result(res: Any, console: Any = None) -> None:
    from engine.i18n import t
    from engine.summary import render
    render(res.summary, console, title=t(f"live.summary.{res.mode}"))
    r = getattr(res, "resumed", None)
    if r is not None and (r.positions or r.orders or r.fills or r.crashed):
        print(t("live.resumed", positions=len(r.positions), orders=len(r.orders), fills=len(r.fills),
                crashed=len(r.crashed)), flush=True)
    _print_execution(res.summary.get("execution"))
    print(t("live.stopped", mode=res.mode, status=res.status, events=res.events,
            run_id=res.run_id if res.run_id is not None else "-", cancelled=len(res.cancelled_at_stop),
            left=len(res.open_after_stop)), flush=True)
    if res.error:
        import sys
        print(t("live.error", detail=res.error), file=sys.stderr, flush=True)
    if res.open_after_stop:
        print(t("live.left_open", n=len(res.open_after_stop)), flush=True)
    unknown = getattr(res, "unknown_at_stop", [])
    if unknown:
        import sys
        for ident in unknown:
            print(t("live.unknown_order", identifier=ident), file=sys.stderr)
        print(t("live.unconfirmed", n=len(unknown)), file=sys.stderr, flush=True)


def _print_execution(q: dict | None) -> None:
    """#15: limit-first/cap counters, realised slippage, flagged markets and the exchange clock offset."""
    if not q:
        return
    import math

    from engine.i18n import t
    p95 = q.get("slippage_p95_bps")
    off = q.get("clock_offset_ms")
    print(t("live.execution", limit_first=q.get("limit_first", 0), filled=q.get("limit_first_filled", 0),
            fallbacks=q.get("fallbacks", 0), capped=q.get("capped_cancelled", 0),
            p95="-" if p95 is None or not math.isfinite(p95) else f"{p95:.1f}",
            clock="-" if off is None else f"{off:+.0f}"), flush=True)
    for m, why in (q.get("flagged_markets") or {}).items():
        reason = t(f"live.flag.{why}") if why in ("warning", "suspended", "unlisted", "delisted") else why
        print(t("live.market_flagged", market=m, reason=reason), flush=True)


class StopSignals:
    """SIGINT/SIGTERM set `stop` (the session then shuts down cleanly); `interrupted` remembers a Ctrl-C, so the
    command can exit 130 like every other interrupted command while SIGTERM stays an orderly stop (exit 0)."""

    def __init__(self) -> None:
        import threading
        self.stop = threading.Event()
        self.interrupted = False
        self._old: dict = {}

    def _on(self, signum, _frame) -> None:
        import signal
        self.interrupted = self.interrupted or signum == signal.SIGINT
        self.stop.set()

    def __enter__(self) -> "StopSignals":
        import signal
        import threading
        if threading.current_thread() is threading.main_thread():
            self._old = {sig: signal.signal(sig, self._on) for sig in (signal.SIGINT, signal.SIGTERM)}
            from engine.control import signals as control_signals    # SIGHUP: read control.reload_file now
            self._old.update(control_signals.install())
        return self

    def __exit__(self, *exc) -> None:
        import signal
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def failed_exit_code(res: Any) -> int:
    """Exit code of a session that did not end `done`: 3 when the feed failed, 4 the exchange, else 1."""
    from engine import exit_codes
    return {"feed": exit_codes.DATA, "exchange": exit_codes.EXCHANGE}.get(getattr(res, "cause", ""),
                                                                           exit_codes.CHECK_FAILED)
