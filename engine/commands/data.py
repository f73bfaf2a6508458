"""`scalp data info|import`: what market data is there (spans, rows, gaps, quality) and loading it into a store."""
from __future__ import annotations

import json
import sys
import time

from engine import exit_codes

from engine.i18n import problem_text, t

HELP = "market data: info, import --from <dir>, download (Upbit REST history)"
FLAGS_WITH_VALUE = ("--from", "--markets")


def split_args(argv: list[str]) -> tuple[dict[str, str | bool], list[str]]:
    """Own flags (--json, --from X, --markets A,B; also --flag=value) apart from Hydra overrides."""
    flags: dict[str, str | bool] = {}
    rest: list[str] = []
    it = iter(argv)
    for a in it:
        name, eq, val = a.partition("=")
        if name in FLAGS_WITH_VALUE:
            flags[name[2:]] = val if eq else next(it, "")
        elif a == "--json":
            flags["json"] = True
        else:
            rest.append(a)
    return flags, rest


def _node(cfg, key: str, default: dict) -> dict:
    from omegaconf import OmegaConf
    node = cfg.get(key) if cfg is not None else None
    return OmegaConf.to_container(node, resolve=True) if node is not None else dict(default)


def build_feed(cfg, **override):
    from registry import build
    node = {**_node(cfg, "feed", {"component": "replay"}), **override}
    return build("feed", node, path="feed")


def _detail(row: dict) -> str:
    if row["kind"] == "candle":
        return t("data.info.interval", s=row["interval_s"])
    if row["kind"] == "book":
        return t("data.info.levels", n=row["levels"])
    return ""


def print_info(info: dict) -> None:
    from components.types.feed.summary import utc
    where = info["path"]
    if not info["markets"]:
        print(t("data.info.empty", where=where))
        return
    print(t("data.info.header", where=where, source=info["source"], n=len(info["markets"]), events=info["events"]))
    names = t("data.info.col_names").split("|")
    print(t("data.info.columns", **dict(zip(("market", "kind", "rows", "first", "last", "detail"), names))))
    for r in info["rows"]:
        print(t("data.info.columns", market=r["market"], kind=r["kind"], rows=r["rows"], first=utc(r["first_ms"]),
                last=utc(r["last_ms"]), detail=_detail(r)))
    q = info["quality"]
    print(t("data.info.quality", **{k: q[k] for k in ("bad_rows", "crossed_books", "unsorted_fixed",
                                                      "duplicate_trades", "duplicate_candles", "quiet_minutes",
                                                      "long_gaps")}))
    for g in q["long_gap_spans"][:10]:
        print(t("data.info.gap", market=g["market"], start=utc(g["start_ms"]), end=utc(g["end_ms"]),
                minutes=g["minutes"]))
    if len(q["long_gap_spans"]) > 10:
        print(t("data.info.more_gaps", n=len(q["long_gap_spans"]) - 10))
    for e in q["examples"]:
        print(t("data.info.example", text=e))
    extra = info.get("extra_files")
    if extra and any(extra.values()):
        print(t("data.info.extra", **{k: len(v) for k, v in extra.items()}))


def info_job(cfg, as_json: bool = False) -> int:
    from components.types.feed.errors import DataError
    from components.types.feed.summary import summarize
    feed = build_feed(cfg)
    try:
        info = summarize(feed)
    except (DataError, FileNotFoundError) as e:
        print(t("data.error", detail=problem_text(e)), file=sys.stderr)
        return exit_codes.DATA
    if as_json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        print_info(info)
    return 0


def import_into(store, streams) -> list[dict]:
    """Insert every stream's batches; one row per (market, kind) with the rows offered."""
    done = []
    for m in sorted(streams):
        s = streams[m]
        for kind, batch, fn in (("candle", s.candles, store.insert_candles), ("trade", s.trades, store.insert_trades),
                                ("book", s.books, store.insert_books)):
            if batch is not None and len(batch):
                fn(batch)
                done.append({"market": m, "kind": kind, "rows": len(batch)})
    return done


def import_job(cfg, src: str, markets: list[str] | None) -> int:
    from components.types.feed.errors import DataError
    from registry import build
    if not src:
        print(t("data.import.need_from"), file=sys.stderr)
        return exit_codes.CONFIG
    store_node = _node(cfg, "store", {"component": "sqlite"})
    feed = build_feed(cfg, source="files", path=src)
    t0 = time.perf_counter()
    print(t("data.import.start", src=str(feed.root), store=store_node.get("component")))
    try:
        streams = feed.load(markets)
    except (DataError, FileNotFoundError) as e:
        print(t("data.error", detail=problem_text(e)), file=sys.stderr)
        return exit_codes.DATA
    with build("store", store_node, path="store") as store:
        done = import_into(store, streams)
    for r in done:
        print(t("data.import.row", **r))
    print(t("data.import.done", rows=sum(r["rows"] for r in done), markets=len(streams),
            seconds=f"{time.perf_counter() - t0:.1f}"))
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("info", "import", "download"):
        print(t("data.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    from engine.app import hydra_command
    sub = argv[0]
    flags, overrides = split_args(argv[1:])
    if sub == "info":
        return hydra_command("data", overrides, lambda cfg: info_job(cfg, bool(flags.get("json"))),
                             json_out=bool(flags.get("json")))
    if sub == "download":
        from engine.download.command import main as download_main
        return download_main(overrides, bool(flags.get("json")))
    markets = [m for m in str(flags.get("markets", "")).split(",") if m] or None
    return hydra_command("data", overrides, lambda cfg: import_job(cfg, str(flags.get("from", "")), markets))
