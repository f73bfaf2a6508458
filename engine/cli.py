"""`scalp` entry point: dispatch `scalp <command> [args]` to engine/commands/<command>.py."""
from __future__ import annotations

import difflib
import importlib
import pkgutil
import sys

from engine import exit_codes
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


def suggest(name: str, options) -> str:
    """` (did you mean a, b?)` in the current language, or "" when nothing is close."""
    close = difflib.get_close_matches(str(name), list(options), n=2, cutoff=0.6)
    return t("cli.did_you_mean", options=", ".join(close)) if close else ""


def usage_line(name: str) -> str:
    key = f"help.{name.replace('-', '_')}.usage"
    return t(key) if key in catalog() else t("help.generic.usage", name=name)


def print_command_help(name: str, module: str) -> None:
    """`scalp <name> --help`: usage, what it does, config it reads, examples, exit codes."""
    base = f"help.{name.replace('-', '_')}"
    print(usage_line(name))
    print()
    print(t(f"{base}.about") if f"{base}.about" in catalog() else help_line(name, module))
    from engine.messages.help import CODE
    code = CODE.get(name.replace("-", "_"), {})
    for section in ("reads", "examples"):
        key = f"{base}.{section}"
        text = t(key) if key in catalog() else code.get(section)
        if text:
            print()
            print(t(f"help.section.{section}"))
            print(text)
    print()
    print(t("help.section.exit"))
    print(t("help.exit_codes"))


def unknown_option(name: str, flag: str) -> int:
    """One line naming the flag, then the usage line; exit 2."""
    print(t("cli.unknown_option", flag=flag), file=sys.stderr)
    print(usage_line(name), file=sys.stderr)
    return exit_codes.CONFIG


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for a in argv:  # language of the CLI's own messages, before any config exists
        if a.startswith("ui.lang=") and a.split("=", 1)[1] in ("ko", "en"):
            from engine.i18n import set_lang
            set_lang(a.split("=", 1)[1])
    cmds = commands()
    if len(argv) > 1 and argv[0] == "help" and argv[1] in cmds:      # `scalp help backtest`
        argv = [argv[1], "--help"]
    if not argv or argv[0] in ("-h", "--help", "help"):
        print_help()
        return exit_codes.OK
    name = argv[0]
    if name not in cmds:
        print(t("cli.unknown_command", name=name, hint=suggest(name, cmds)), file=sys.stderr)
        return exit_codes.CONFIG
    bench_help = name == "bench" and len(argv) > 2 and not argv[1].startswith("-")   # the bench's own options
    if any(a in ("-h", "--help") for a in argv[1:]) and not bench_help:
        print_command_help(name, cmds[name])
        return exit_codes.OK
    try:
        rc = importlib.import_module(cmds[name]).main(argv[1:])
    except BrokenPipeError:      # `scalp ... | head`: the reader left; not an error of ours
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exit_codes.OK
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return exit_codes.INTERRUPTED
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
