"""`scalp report <run_id|latest> [store overrides]`: rebuild a stored run's HTML report from the store."""
from __future__ import annotations

import sys
from pathlib import Path

HELP = "rebuild the HTML report of a stored run: scalp report <run_id|latest>"


def main(argv: list[str]) -> int:
    from engine.i18n import set_lang, t
    for a in argv:
        if a.startswith("ui.lang=") and a.split("=", 1)[1] in ("ko", "en"):
            set_lang(a.split("=", 1)[1])
    flag = next((a for a in argv if a.startswith("-")), None)
    if flag is not None:
        from engine.cli import unknown_option
        return unknown_option("report", flag)
    runs = [a for a in argv if "=" not in a and not a.startswith("-")]
    overrides = [a for a in argv if "=" in a]
    if len(runs) != 1:
        print(t("report.usage"), file=sys.stderr)
        return 2
    import registry
    from engine.app import compose, job_config
    from engine.conf import plain
    from engine.report import rebuild, resolve_run
    from engine.summary import render
    registry.load_all()
    cfg = job_config(compose(overrides))
    store = registry.build("store", plain(cfg.store), path="store")
    with store:
        rid = resolve_run(store, runs[0])
        if rid is None:
            ids = ", ".join(str(r["id"]) for r in store.runs()[-20:]) or "(none)"
            print(t("report.no_run", run=runs[0], store=getattr(store.p, "path", ""), runs=ids), file=sys.stderr)
            return 2
        out = Path(str((cfg.get("run") or {}).get("out_dir", "outputs"))) / f"run-{rid}" / "report.html"
        path, summary = rebuild(store, rid, out)
    render(summary)
    print(t("report.path", path=path), flush=True)
    return 0
