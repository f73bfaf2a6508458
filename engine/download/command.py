"""The `scalp data download` job: settings -> a run against the Upbit REST host -> the report on stdout."""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from engine import exit_codes
from engine.i18n import t


def _report(res, out: Path, max_pages: int) -> None:
    from components.types.feed.summary import utc
    for r in res.rows:
        print(t("download.row", market=r["market"], unit=r["unit"], rows=r["rows"], added=r["added"],
                duplicates=r["duplicates"], quiet=r["quiet"], missing=len(r["missing"]), first=utc(r["start_ms"]),
                last=utc(r["end_ms"]), file=r["file"]))
        for a, b in r["missing"][:5]:
            print(t("download.missing_span", market=r["market"], unit=r["unit"], start=utc(a), end=utc(b)))
        if r["unreachable"]:
            print(t("download.unreachable", market=r["market"], unit=r["unit"], start=utc(r["unreachable"][0]),
                    end=utc(r["unreachable"][1]), days=7 if r["unit"] == "trades" else 90))
    c = res.counters
    print(t("download.total", pages=c.pages, rows=c.rows, backoffs=c.backoffs_429, retries=c.retries,
            seconds=f"{res.seconds:.1f}"))
    if res.stopped:
        print(t("download.stopped", n=max_pages))
    elif not any(r["missing"] for r in res.rows):
        print(t("download.complete", out=str(out)))


def careful_limiter():
    """The client's limiter with each window 10 % longer: a long download runs at the limit for minutes, and
    network jitter (a request that left on time arriving late) would otherwise cost a 429 now and then."""
    from components.types.upbit.limiter import DEFAULT_LIMITS, RateLimiter
    return RateLimiter(limits={g: (n, w * 1.1) for g, (n, w) in DEFAULT_LIMITS.items()})


def main(overrides: list[str], as_json: bool = False) -> int:
    """Compose the config and check `markets` and `download.*` only: a download needs no feed, model or bot
    settings, and the bundled data's markets must not limit what can be fetched."""
    import registry
    from engine.app import _composition_problem, _lang_from, compose, job_config, report_problems
    from engine.i18n import set_lang
    from engine.settings import job_start
    _lang_from(overrides)
    flag = next((a for a in overrides if a.startswith("-")), None)
    if flag is not None:
        from engine.cli import unknown_option
        return unknown_option("data", flag.split("=", 1)[0])
    try:
        cfg = job_config(compose(overrides))
    except Exception as e:          # composition: unknown key, bad override syntax
        return report_problems([_composition_problem(e, overrides)])
    try:
        settings = job_start(cfg)
    except registry.ConfigError as e:
        return report_problems(e.problems)
    set_lang(settings.ui.lang)
    return download_job(cfg, as_json)


def download_job(cfg, as_json: bool = False) -> int:
    from components.types.feed.paths import to_ms
    from engine.app import report_problems
    from engine.download import fetch, run
    from engine.download.pages import MalformedPage
    from engine.download.units import parse_units
    from engine.settings import settings_of
    s = settings_of(cfg)
    d = s.download
    if d.start is None:
        return report_problems([("download.start", t("download.need_start"))])
    import time
    end_ms = to_ms(d.end) if d.end is not None else int(time.time() * 1000)
    out = Path(d.out).expanduser()
    from registry import build
    # retries=0: the pager itself decides how a 429 / 5xx / timeout is retried, and counts it
    rest = build("exchange", {"component": "upbit", "base_url": d.base_url, "timeout_ms": d.timeout_ms,
                              "retries": 0}, path="download")
    rest.limiter = careful_limiter()

    async def go():
        async with rest:
            return await run.run(rest, list(s.markets), parse_units(list(d.units)), out, to_ms(d.start), end_ms,
                                 d.max_pages, d.progress and not as_json)
    try:
        res = asyncio.run(go())
    except run.UnknownMarkets as e:
        return report_problems([("markets", t("download.unknown_markets", markets=", ".join(e.unknown),
                                                 n=len(e.known), known=", ".join(e.known[:5])))])
    except MalformedPage as e:
        print(t("download.malformed", endpoint=e.endpoint, reason=e.reason), file=sys.stderr)
        return exit_codes.EXCHANGE
    except fetch.DownloadFailed as e:
        print(t("download.failed", detail=str(e)), file=sys.stderr)
        return exit_codes.EXCHANGE
    if as_json:
        c = res.counters
        print(json.dumps({"rows": res.rows, "pages": c.pages, "rows_fetched": c.rows, "backoffs_429": c.backoffs_429,
                          "retries": c.retries, "stopped": res.stopped, "seconds": round(res.seconds, 2)}))
    else:
        _report(res, out, d.max_pages)
    if d.store:
        from engine.commands.data import _node
        from registry import build
        node = _node(cfg, "store", {"component": "sqlite"})
        with build("store", node, path="store") as store:
            n = run.to_store(store, res.rows)
        print(t("download.store", rows=n, store=node.get("component")), file=sys.stderr if as_json else sys.stdout)
    return exit_codes.OK
