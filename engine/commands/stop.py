"""`scalp stop [RUN_ID|--all] [--timeout-s N] [store overrides]`: stop running paper/live sessions gracefully."""
from __future__ import annotations

import os
import signal
import socket
import sys
import time

from engine import exit_codes

HELP = "stop a running paper/live session gracefully (SIGTERM to its process, waits for its final status)"


def targets(store, want: str | None, everything: bool) -> tuple[list[dict], str | None]:
    """(runs to stop, refusal message key or None). Only `running` runs of this host are stoppable."""
    running = [r for r in store.runs() if r.get("status") == "running"]
    if want is not None:
        hit = [r for r in store.runs() if str(r["id"]) == want]
        if not hit:
            return running, "stop.no_run"
        if hit[0].get("status") != "running":
            return hit, "stop.not_running"
        return hit, None
    if everything or len(running) <= 1:
        return running, None
    return running, "stop.which"


def stop_run(store, run: dict, timeout_s: float) -> str:
    """SIGTERM the run's process, wait until the run leaves `running`; its final status, `timeout`, or
    `crashed` when the process is gone without finishing the run."""
    from engine.live.history import PROCESS_KEY, alive
    tag = (run.get("config") or {}).get(PROCESS_KEY) or {}
    state = alive(tag)
    if state is False:                   # gone without finishing: what a restart would mark it
        store.finish_run(run["id"], status="crashed")
        return "crashed"
    try:
        os.kill(int(tag["pid"]), signal.SIGTERM)
    except OSError as e:                 # another user's process: not ours to signal
        return f"refused ({type(e).__name__})"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = next((r.get("status") for r in store.runs() if r["id"] == run["id"]), None)
        if status != "running":
            return str(status)
        if alive(tag) is False:
            time.sleep(0.5)              # the process wrote its status as it left: read it once more
            status = next((r.get("status") for r in store.runs() if r["id"] == run["id"]), None)
            if status == "running":
                store.finish_run(run["id"], status="crashed")
                return "crashed"
            return str(status)
        time.sleep(0.2)
    return "timeout"


def main(argv: list[str]) -> int:
    from engine.control.cli import open_store, parse
    from engine.i18n import t
    a = parse(argv, valued=("--timeout-s",), switches=("--all",))
    if a.unknown is not None:
        from engine.cli import unknown_option
        return unknown_option("stop", a.unknown)
    if len(a.words) > 1 or (a.words and a.flags.get("--all")) or (a.words and not a.words[0].isdigit()):
        print(t("help.stop.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    try:
        timeout_s = float(a.flags.get("--timeout-s", 60))
    except ValueError:
        print(t("help.stop.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    cfg, store = open_store(a.overrides)
    with store:
        runs, refusal = targets(store, a.words[0] if a.words else None, bool(a.flags.get("--all")))
        if refusal is not None:
            listed = ", ".join(f"{r['id']} ({r.get('mode')}, {r.get('status')})" for r in runs) or "-"
            print(t(refusal, run=a.words[0] if a.words else "", runs=listed), file=sys.stderr)
            return exit_codes.CONFIG
        if not runs:
            print(t("stop.none"))
            return exit_codes.OK
        from engine.live.history import PROCESS_KEY
        host = socket.gethostname()
        rc = exit_codes.OK
        for r in runs:
            tag = (r.get("config") or {}).get(PROCESS_KEY) or {}
            if tag.get("host") != host or not tag.get("pid"):
                print(t("stop.other_host", run=r["id"], host=tag.get("host") or "?"), file=sys.stderr)
                rc = max(rc, exit_codes.CONFIG)
                continue
            print(t("stop.sending", run=r["id"], mode=r.get("mode"), pid=tag["pid"]), flush=True)
            status = stop_run(store, r, timeout_s)
            if status == "timeout":
                print(t("stop.timeout", run=r["id"], seconds=f"{timeout_s:g}"), file=sys.stderr)
                rc = max(rc, exit_codes.CHECK_FAILED)
            else:
                print(t("stop.stopped", run=r["id"], status=status), flush=True)
                if status != "done":
                    rc = max(rc, exit_codes.CHECK_FAILED)
        return rc
