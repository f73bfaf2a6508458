"""`scalp store backup <path> [store overrides]`: a consistent online copy of the store."""
from __future__ import annotations

import sys

from engine import exit_codes

HELP = "store maintenance: scalp store backup <path> (SQLite backup API; pg_dump for PostgreSQL)"


def main(argv: list[str]) -> int:
    from engine.control.backup import BackupError, backup
    from engine.control.cli import open_store, parse
    from engine.i18n import t
    a = parse(argv)
    if a.unknown is not None:
        from engine.cli import unknown_option
        return unknown_option("store", a.unknown)
    if len(a.words) != 2 or a.words[0] != "backup":
        print(t("help.store.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    _, store = open_store(a.overrides)
    with store:
        try:
            path = backup(store, a.words[1])
        except BackupError as e:
            print(t("store.backup_failed", detail=str(e)), file=sys.stderr)
            return exit_codes.CONFIG
    print(t("store.backup_done", path=path))
    return exit_codes.OK
