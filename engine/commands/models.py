"""`scalp models list|promote ID|rollback [ID] [--json] [overrides]`: the model registry in the store."""
from __future__ import annotations

import datetime as dt
import json
import sys

from engine import exit_codes
from engine.i18n import t

HELP = "the model registry: list models, promote one, roll back to the previously deployed one"
ACTIONS = ("list", "promote", "rollback")


def _when(ms) -> str:
    return "-" if ms is None else dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _num(v, fmt: str) -> str:
    return "n/a" if not isinstance(v, (int, float)) or v != v else format(v, fmt)


def row_line(r: dict) -> str:
    m = r.get("metrics") or {}
    return (f"{r['id']:>4}  {r['status']:<9} {r['market_class']:<8} {r['signature'][:8]}  {_when(r['created_ms']):<19}  "
            f"{_when(r['promoted_ms']):<19}  {_num(m.get('net_pnl_krw'), '+,.0f'):>10}  {_num(m.get('trades'), 'd'):>6}  "
            f"{_num(m.get('deflated_sharpe'), '.3f'):>6}  {r['path']}" + (f"  ({r['note']})" if r.get("note") else ""))


def act(cfg, action: str, model_id: int | None, as_json: bool) -> int:
    from engine.models.bundle import config_signature
    from engine.models.registry import ModelRegistry
    from engine.trials import open_store
    store = open_store(cfg)
    if store is None:
        print(t("models.no_store"), file=sys.stderr)
        return exit_codes.CONFIG
    try:
        reg = ModelRegistry(store)
        if action == "list":
            rows = reg.list()
            if as_json:
                from engine.loop.lifecycle import jsonable
                print(json.dumps(jsonable(rows)))
            else:
                print(t("models.header"))
                for r in rows:
                    print(row_line(r))
                if not rows:
                    print(t("models.none"))
            return exit_codes.OK
        if action == "promote":
            try:
                r = reg.promote(model_id, note="promoted by hand")
            except KeyError:
                print(t("models.unknown_id", id=model_id), file=sys.stderr)
                return exit_codes.CONFIG
            except FileNotFoundError as e:
                print(t("models.files_gone", id=model_id, path=str(e)), file=sys.stderr)
                return exit_codes.DATA
            print(t("models.promoted", id=r["id"], cls=r["market_class"], path=r["path"]))
            return exit_codes.OK
        if model_id is not None:
            cur = reg.get(model_id)
            if cur is None:
                print(t("models.unknown_id", id=model_id), file=sys.stderr)
                return exit_codes.CONFIG
            cls, sig = cur["market_class"], cur["signature"]
        else:
            cls, sig = str(cfg.get("market_class", "majors")), config_signature(cfg)
        try:
            out, back = reg.rollback(cls, sig)
        except LookupError:
            print(t("models.no_rollback", cls=cls, sig=sig[:8]), file=sys.stderr)
            return exit_codes.CHECK_FAILED
        print(t("models.rolled_back", out=out["id"], back=back["id"], cls=cls, path=back["path"]))
        return exit_codes.OK
    finally:
        store.close()


def main(argv: list[str]) -> int:
    from engine.app import hydra_command
    from engine.cli import usage_line
    as_json = "--json" in argv
    args = [a for a in argv if a != "--json"]
    action = args[0] if args and args[0] in ACTIONS else None
    rest = args[1:] if action else args
    model_id = None
    if rest and rest[0].isdigit():
        model_id, rest = int(rest[0]), rest[1:]
    if action is None or (action == "promote" and model_id is None) or (action == "list" and model_id is not None):
        print(usage_line("models"), file=sys.stderr)
        return exit_codes.CONFIG
    return hydra_command("models", rest, lambda cfg: act(cfg, action, model_id, as_json), json_out=as_json)
