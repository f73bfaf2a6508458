"""`scalp <command>` modules: each exposes HELP (one line) and main(argv) -> exit code."""
