"""`live.on_stop: flatten`: sell every position at market (within the slippage cap) before the stop's confirm loop."""
from __future__ import annotations

import json
import logging
import time
from typing import Any

from components.types.orders import OrderIntent

log = logging.getLogger("scalp.live")
SETTLE_S = 3.0            # longest wait for the stop's cancels to free coins a resting exit locked


def flatten_at_stop(loop: Any, ex: Any, guard: Any, s: Any) -> list[str]:
    """Send one market sell (an IOC limit at the cap with `orders.max_slippage_bps`) per held market, after
    the cancels the stop sent have settled; returns the identifiers sent. Never the limit-first path: a stop
    does not wait for the touch. The stop's confirm loop then waits for these orders like any other."""
    execu = loop.execution
    if guard is not None:
        # live: the cancels must be final (coins unlocked) and creates still in flight known (an entry that
        # was on its way may have bought) before the positions to sell are known
        deadline = time.monotonic() + min(SETTLE_S, s.shutdown_timeout_s)
        while time.monotonic() < deadline:
            try:
                ex.refresh()
            except Exception:  # noqa: BLE001  the confirm loop after this deals with an unreachable exchange
                break
            execu.collect_fills()
            execu.poll(loop.now_ms)
            loop.om.cancel_all(loop.now_ms)        # an in-flight create found resting: cancelled too
            if not any(mo.state in ("wait", "unknown") for mo in loop.om.open.values()):
                break
            time.sleep(0.1)
    execu.collect_fills()
    sent: list[str] = []
    for m, pos in execu.positions.items():
        if pos.volume <= 0:
            continue
        intent = OrderIntent(m, "ask", "market", volume=pos.volume, reason="on_stop.flatten")
        execu.exit_reason[m] = "on_stop.flatten"
        mo, why = execu._market(intent, loop.now_ms, "flatten", execu._decision_px(m, "ask"))
        log.info(json.dumps({"event": "flatten_sent" if mo is not None else "flatten_refused", "market": m,
                             "volume": pos.volume, "identifier": mo.intent.identifier if mo else None,
                             "reason": why or None}))
        if mo is not None:
            sent.append(mo.intent.identifier or "")
    advance = getattr(ex, "advance", None)
    if sent and guard is None and advance is not None:
        # paper: no market event follows the stop, so the simulator is moved past the orders' latency here
        advance(loop.now_ms + 60_000)
    execu.collect_fills()
    return sent
