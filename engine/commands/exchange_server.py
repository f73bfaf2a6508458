"""`scalp exchange-server [key=value ...]`: run the local Upbit-compatible exchange server on 127.0.0.1."""
from __future__ import annotations

import sys

from engine import exit_codes

HELP = "run the local Upbit-compatible exchange server (127.0.0.1)"


def load_config(argv: list[str]):
    """Defaults <- optional `--config file.yaml` <- `key=value` overrides (dotted, OmegaConf syntax)."""
    from omegaconf import OmegaConf

    from engine.server.config import ServerConfig
    args = list(argv)
    base = OmegaConf.create({})
    if "--config" in args:
        i = args.index("--config")
        base = OmegaConf.load(args[i + 1])
        del args[i:i + 2]
    merged = OmegaConf.merge(base, OmegaConf.from_dotlist(args))
    return ServerConfig.model_validate(OmegaConf.to_container(merged, resolve=True))


def default_source(cfg):
    """No source.path given: the bundled 2021 captures, else the shared ones."""
    from pathlib import Path
    if cfg.source.path:
        return cfg
    for p in (Path("examples/data/upbit/ws_captures"), Path("/work/shared/data/upbit/ws_captures")):
        if p.exists():
            return cfg.model_copy(update={"source": cfg.source.model_copy(update={"path": str(p)})})
    return cfg


def main(argv: list[str]) -> int:
    from pydantic import ValidationError

    from engine.i18n import problem_text, t
    flag = next((a for a in argv if a.startswith("-") and a != "--config"), None)
    if flag is not None:
        from engine.cli import unknown_option
        return unknown_option("exchange-server", flag)
    from engine import i18n
    for a in [a for a in argv if a.startswith("ui.lang=")]:
        i18n.set_lang(a.split("=", 1)[1])   # the one root key the server honours: message language
        argv = [x for x in argv if x != a]
    try:
        cfg = default_source(load_config(argv))
    except ValidationError as exc:
        for line in _validation_lines(exc):
            print(t("server.bad_config", detail=line), file=sys.stderr)
        return exit_codes.CONFIG
    except ValueError as exc:
        print(t("server.bad_config", detail=problem_text(exc)), file=sys.stderr)
        return exit_codes.CONFIG
    from engine.server.runner import RunningServer
    try:
        srv = RunningServer(cfg)
    except (FileNotFoundError, ValueError) as exc:     # the replay source: missing or holds no usable data
        print(t("server.bad_data", detail=problem_text(exc)), file=sys.stderr)
        return exit_codes.DATA
    except RuntimeError as exc:
        print(t("server.bad_config", detail=problem_text(exc)), file=sys.stderr)
        return exit_codes.CONFIG
    m = srv.state.market
    print(t("server.started", base=srv.base_url, ws=srv.ws_url, n=len(m.markets), source=cfg.source.kind,
            synthetic=t("server.synthetic") if m.source["synthetic"] else "",
            keys=",".join(srv.state.accounts)), flush=True)
    try:
        srv.thread.join()
    except KeyboardInterrupt:       # Ctrl-C is how this server is meant to end, but it still ends as interrupted
        srv.stop()
        print(t("cli.interrupted"), file=sys.stderr)
        return exit_codes.INTERRUPTED
    return exit_codes.OK


def _validation_lines(exc) -> list[str]:
    """`dotted.path  message` per pydantic error, in ui.lang (the input value is never shown)."""
    from engine.i18n import pydantic_text
    return [f"{'.'.join(str(p) for p in e.get('loc', ()))}  {pydantic_text(e)}".strip()
            for e in exc.errors(include_input=False)]
