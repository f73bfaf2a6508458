"""`scalp cancel-all [overrides]`: cancel every open order on the configured exchange and print each one."""
from __future__ import annotations

import sys

from engine import exit_codes
from engine.app import hydra_command

HELP = "cancel every open order on the configured exchange (prints what it cancelled)"


def cancel_all(rest, timeout_s: float | None = None) -> tuple[list, list, list]:
    """-> (cancelled orders, failures [(order, error name)], orders still open afterwards)."""
    from engine.live.bridge import AsyncBridge
    from engine.live.exchange import LiveExchange
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest, bridge, timeout_s=timeout_s)
        try:
            done, failed = [], []
            for o in ex.open_orders():
                try:
                    ex.cancel_order(uuid=o.uuid)
                    done.append(o)
                except Exception as e:  # noqa: BLE001  closed meanwhile, or refused: reported, not fatal
                    failed.append((o, getattr(e, "error_name", type(e).__name__)))
            import time
            left = []
            for _ in range(25):              # cancels are accepted asynchronously: confirm they landed
                left = ex.open_orders()
                if not left:
                    break
                time.sleep(0.2)
            return done, failed, left
        finally:
            ex.close()


def job(cfg) -> int:
    from engine.i18n import t
    from engine.live.runner import build_live_client
    rest = build_live_client(cfg)
    try:
        done, failed, left = cancel_all(rest)
    except Exception as e:  # noqa: BLE001  no keys, no connection: one clear line
        print(t("live.error", detail=f"{getattr(e, 'error_name', type(e).__name__)}: {e}"), file=sys.stderr)
        return exit_codes.EXCHANGE
    if not done and not failed:
        print(t("cancel_all.none", base=rest.p.base_url))
    for o in done:
        print(t("cancel_all.order", market=o.market, side=o.side, ord_type=o.ord_type, price=o.price,
                volume=o.volume if o.volume is not None else "-", identifier=o.identifier or "-", uuid=o.uuid))
    for o, err in failed:
        print(t("cancel_all.failed", uuid=o.uuid, error=err))
    print(t("cancel_all.done", n=len(done), left=len(left)), flush=True)
    return 0 if not left else 1


def main(argv: list[str]) -> int:
    return hydra_command("cancel-all", [*argv, "hydra.output_subdir=null"], job)
