"""SIGHUP = "read the reload file now": the handler only raises a flag; the control hook acts on the engine thread."""
from __future__ import annotations

import signal
import threading

RELOAD_REQUESTED = threading.Event()


def on_sighup(_signum: int = 0, _frame: object = None) -> None:
    """The SIGHUP handler (installed by the runner's signal block and the paper/live commands)."""
    RELOAD_REQUESTED.set()


def install() -> dict:
    """{SIGHUP: previous handler} after installing ours; {} off the main thread or where SIGHUP does not exist."""
    sig = getattr(signal, "SIGHUP", None)
    if sig is None or threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, on_sighup)}
