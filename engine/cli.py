"""`scalp` entry point: dispatch `scalp <command> [args]` to engine/commands/<command>.py."""
from __future__ import annotations

import difflib
import importlib
import pkgutil
import sys

from engine.i18n import catalog, t


def commands() -> dict[str, str]:
    """Command name -> module name, discovered from engine/commands/."""
    import engine.commands as pkg
    return {m.name.replace("_", "-"): f"engine.commands.{m.name}"
            for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")}


def help_line(name: str, module: str) -> str:
    key = f"cmd.{name.replace('-', '_')}"
    if key in catalog():
        return t(key)
    return getattr(importlib.import_module(module), "HELP", "")


def print_help() -> None:
    print(t("cli.usage"))
    print(t("cli.commands"))
    cmds = commands()
    width = max((len(n) for n in cmds), default=8)
    for name in sorted(cmds):
        print(f"  {name:<{width}}  {help_line(name, cmds[name])}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for a in argv:  # language of the CLI's own messages, before any config exists
        if a.startswith("ui.lang=") and a.split("=", 1)[1] in ("ko", "en"):
            from engine.i18n import set_lang
            set_lang(a.split("=", 1)[1])
    if not argv or argv[0] in ("-h", "--help", "help"):
        print_help()
        return 0
    cmds = commands()
    name = argv[0]
    if name not in cmds:
        close = difflib.get_close_matches(name, list(cmds), n=2, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        print(t("cli.unknown_command", name=name, hint=hint), file=sys.stderr)
        return 2
    try:
        rc = importlib.import_module(cmds[name]).main(argv[1:])
    except BrokenPipeError:      # `scalp ... | head`: the reader left; not an error of ours
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
