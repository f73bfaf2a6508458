"""Exit codes of every `scalp` command (documented in `scalp <command> --help` and the README)."""
OK = 0
CHECK_FAILED = 1      # the command ran, and what it checks did not pass (leak check, no warm decisions...)
CONFIG = 2            # the config or the command line is wrong; nothing started
DATA = 3              # market data or the feed is missing or unreadable
EXCHANGE = 4          # the exchange refused, could not be reached, or keys are missing
NOT_RUNNING = 5       # scalp status: no paper/live session running (or its monitor does not answer)
INTERRUPTED = 130     # Ctrl-C (128 + SIGINT, as shells report it)
