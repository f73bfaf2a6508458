"""The control hook beside a paper/live session: watches the reload file (mtime, SIGHUP) and applies reloads."""
from __future__ import annotations

import json
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from engine.control.reload import Outcome, Reloader, apply
from engine.control.signals import RELOAD_REQUESTED

log = logging.getLogger("scalp.control")
ARTIFACT_KIND = "config_reload"      # one artifact per accepted reload, with the run


def build(ctx: Any) -> "ControlHook | None":
    """Hook factory (engine/live/hooks.py HOOK_FACTORIES); never raises: without it the session still trades."""
    from engine.conf import plain
    from engine.settings import settings_of
    try:
        s = settings_of(ctx.cfg).control
        return ControlHook(plain(ctx.cfg), s.reload_file, s.poll_interval_s)
    except Exception as e:  # noqa: BLE001  e.g. a config node that does not resolve outside a Hydra job
        log.warning(json.dumps({"event": "control_off", "error": f"{type(e).__name__}: {e}"[:300]}))
        return None


class ControlHook:
    """Reads `control.reload_file` at start, on SIGHUP and when its (mtime, size) changes (checked at most
    every poll_interval_s). Reading and validating (~0.1-0.3 s) run on a worker thread; the verdict is
    applied on the engine thread at the next tick, i.e. between two events."""

    def __init__(self, base: dict, reload_file: str | None, poll_interval_s: float = 1.0) -> None:
        self.reloader = Reloader(base)
        self.path = Path(reload_file).expanduser() if reload_file else None
        self.poll_interval_s = max(float(poll_interval_s), 1.0)
        self._next_poll_s = 0.0
        self._seen: tuple | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._pending: tuple[Future, str] | None = None
        self._again: str | None = None           # a request that came while one was being validated
        self.accepted = 0
        self.refused = 0

    # -- hook methods (engine thread) ------------------------------------------------------------
    def on_start(self, ctx: Any) -> None:
        RELOAD_REQUESTED.clear()
        ctx.extra["control"] = self
        if self.path is not None:
            self._seen = self._stamp()
            if self._seen is not None:
                self.request("start")
            self._next_poll_s = time.monotonic() + self.poll_interval_s

    def on_tick(self, ctx: Any, now_s: float) -> None:
        if self._pending is not None and self._pending[0].done():
            fut, source = self._pending
            self._pending = None
            self.finish(ctx, source, *fut.result())
        if RELOAD_REQUESTED.is_set():
            RELOAD_REQUESTED.clear()
            if self.path is None:
                from engine.i18n import t
                log.warning(json.dumps({"event": "config_reload_refused", "source": "sighup",
                                        "problems": [{"path": "control.reload_file",
                                                      "error": t("control.no_reload_file")}]}, ensure_ascii=False))
            else:
                self._seen = self._stamp()
                self.request("sighup")
        elif self.path is not None and now_s >= self._next_poll_s:
            self._next_poll_s = now_s + self.poll_interval_s
            stamp = self._stamp()
            if stamp != self._seen:
                self._seen = stamp
                self.request("file")
        if self._pending is None and self._again is not None:
            source, self._again = self._again, None
            self.request(source)

    def on_stop(self, ctx: Any) -> None:
        RELOAD_REQUESTED.clear()
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)

    # -- the reload ------------------------------------------------------------------------------
    def _stamp(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def read(self) -> dict:
        """The override file as a mapping ({} when it is absent: every value back to its start value)."""
        if self.path is None or not self.path.exists():
            return {}
        import yaml
        doc = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        if doc is None:
            return {}
        if not isinstance(doc, dict):
            raise ValueError(f"expected a mapping of dotted paths, got {type(doc).__name__}")
        return doc

    def request(self, source: str) -> None:
        """Read and validate the file on the worker thread (one at a time; a request meanwhile runs after)."""
        if self._pending is not None:
            self._again = source
            return
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scalp-control")
        self._pending = (self._worker.submit(self.check), source)

    def check(self) -> tuple[Outcome, dict, dict]:
        """(verdict, candidate config, overrides read): nothing is applied here (worker thread)."""
        try:
            overrides = self.read()
        except Exception as e:  # noqa: BLE001  a half-written or broken file: refused, the session goes on
            return Outcome(False, problems=[("control.reload_file", f"{type(e).__name__}: {e}"[:300])]), {}, {}
        try:
            out, candidate = self.reloader.propose(overrides)
        except Exception as e:  # noqa: BLE001  a validation crash refuses the reload, never the session
            return Outcome(False, problems=[("control.reload_file", f"{type(e).__name__}: {e}"[:300])]), {}, {}
        return out, candidate, overrides

    def reload(self, ctx: Any, source: str) -> Outcome:
        """Read, validate, apply and store one reload now (on the calling thread)."""
        out, candidate, overrides = self.check()
        self.finish(ctx, source, out, candidate, overrides)
        return out

    def finish(self, ctx: Any, source: str, out: Outcome, candidate: dict, overrides: dict) -> None:
        """Engine thread: apply an accepted verdict, store it with the run; log a refused one by dotted path."""
        if not out.accepted:
            self.refused += 1
            log.warning(json.dumps({"event": "config_reload_refused", "source": source, "file": str(self.path),
                                    "problems": [{"path": p, "error": m} for p, m in out.problems]},
                                   ensure_ascii=False))
            return
        if not out.changes:
            return
        try:
            apply(ctx.loop, candidate, out.changes)
        except Exception as e:  # noqa: BLE001  validated, yet a component refused it: keep what runs
            log.warning(json.dumps({"event": "config_reload_refused", "source": source,
                                    "problems": [{"path": p, "error": f"{type(e).__name__}: {e}"[:300]}
                                                 for p in out.changes]}, ensure_ascii=False))
            self.refused += 1
            return
        self.reloader.commit(candidate)
        self.accepted += 1
        changes = {p: {"old": o, "new": n} for p, (o, n) in out.changes.items()}
        log.info(json.dumps({"event": "config_reload", "source": source, "changes": changes}, ensure_ascii=False))
        self._store(ctx, source, changes, overrides)

    def _store(self, ctx: Any, source: str, changes: dict, overrides: dict) -> None:
        if ctx.store is None or ctx.run_id is None:
            return
        from engine.loop.lifecycle import jsonable
        doc = {"ts_ms": int(time.time() * 1000), "source": source, "file": str(self.path), "changes": changes,
               "overrides": overrides, "n": self.accepted}
        try:
            ctx.store.save_artifact(f"run-{ctx.run_id}-reload-{self.accepted}", ARTIFACT_KIND, jsonable(doc),
                                    run_id=ctx.run_id)
        except Exception as e:  # noqa: BLE001  applied already; a store outage must not undo it
            log.warning(json.dumps({"event": "config_reload_not_stored", "error": f"{type(e).__name__}: {e}"[:300]}))


def reloads(store: Any, run_id: int) -> list[dict]:
    """The accepted reloads stored with a run, oldest first: [{ts_ms, source, changes, overrides, n}]."""
    from sqlalchemy import select

    from engine.control.runs import tables
    t = tables(store)["artifacts"]
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.c.signature).where(t.c.run_id == run_id, t.c.kind == ARTIFACT_KIND)
                            .order_by(t.c.id)).all()
    return [dict(r[0]) if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]
