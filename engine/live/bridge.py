"""Sync -> async bridge: one background asyncio loop thread; the engine loop calls coroutines with explicit timeouts."""
from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any


def wait_done(fut: Any, wait_s: float) -> bool:
    """Wait up to `wait_s` for a spawned call's future; True when it is done (its result is ready)."""
    if not fut.done() and wait_s > 0:
        concurrent.futures.wait([fut], timeout=wait_s)
    return fut.done()


class BridgeTimeout(TimeoutError):
    """A bridged call did not finish in time (the coroutine was cancelled; its effect on the exchange is unknown)."""


class AsyncBridge:
    """Owns an asyncio loop in a daemon thread. `call(coro, timeout_s)` blocks the caller (the synchronous engine
    loop) for at most `timeout_s`; `spawn(coro)` runs a background task (the live feed pump) without waiting.

    The engine loop stays single-threaded: only I/O runs on the bridge thread, and results come back as values."""

    def __init__(self, name: str = "scalp-live-io") -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()
        self._ready.wait(5.0)
        self._closed = False

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def call(self, coro: Coroutine, timeout_s: float) -> Any:
        """Run `coro` on the bridge loop and return its result; raises BridgeTimeout after `timeout_s`."""
        if self._closed:
            coro.close()
            raise RuntimeError("bridge is closed")
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return fut.result(timeout_s)
        except concurrent.futures.TimeoutError:
            fut.cancel()
            raise BridgeTimeout(f"no answer within {timeout_s:.1f} s") from None

    def spawn(self, coro: Coroutine) -> concurrent.futures.Future:
        """Start `coro` as a background task; the returned future carries its outcome."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self, timeout_s: float = 5.0) -> None:
        """Cancel every task still running on the bridge loop, then stop the thread."""
        if self._closed:
            return
        self._closed = True

        async def _cancel_all() -> None:
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(_cancel_all(), self.loop).result(timeout_s)
        except Exception:      # a task refusing to die must not block shutdown; the thread is a daemon
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout_s)
        if not self.thread.is_alive():
            self.loop.close()

    def __enter__(self) -> "AsyncBridge":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
