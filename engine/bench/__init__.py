"""`scalp bench <what>` modules: each exposes main(argv) -> exit code and prints JSON with --json."""
