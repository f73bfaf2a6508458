"""`python -m engine.bench._phases OUT.json <scalp command> [overrides]`: run a CLI command in this process with
its load / fit / replay / finish steps timed (wrapped, not changed), and write the split to OUT.json."""
from __future__ import annotations

import json
import sys
import time

# step name -> (module, function): the calls `scalp backtest` makes, walk-forward or not
STEPS = {"load_s": ("load_replay",), "fit_s": ("fit_folds",), "replay_s": ("drive",), "finish_s": ("finish",)}
MODULES = ("engine.backtest", "engine.wf_backtest")


_depth = [0]


def _wrap(totals: dict, key: str, fn):
    def timed(*a, **kw):
        if _depth[0]:              # a step inside another (fit replays bars to build its data): the outer counts
            return fn(*a, **kw)
        _depth[0] += 1
        t0 = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            totals[key] += time.perf_counter() - t0
            _depth[0] -= 1
    return timed


def install(totals: dict) -> list[str]:
    """Wrap every step function found; returns the `module.function` names wrapped (a renamed step is missing)."""
    import importlib
    wrapped = []
    for mod_name in MODULES:
        mod = importlib.import_module(mod_name)
        for key, (fn_name,) in STEPS.items():
            fn = getattr(mod, fn_name, None)
            if callable(fn):
                setattr(mod, fn_name, _wrap(totals, key, fn))
                wrapped.append(f"{mod_name}.{fn_name}")
    return wrapped


def main(argv: list[str]) -> int:
    t_start = time.perf_counter()
    out, args = argv[0], argv[1:]
    totals = {k: 0.0 for k in STEPS}
    wrapped = install(totals)
    from engine.cli import main as cli
    t_job = time.perf_counter()
    code = 1
    try:
        code = int(cli(args) or 0)
    except SystemExit as e:          # hydra ends some commands with sys.exit
        code = int(e.code or 0)
    finally:
        job_s = time.perf_counter() - t_job
        res = {k: round(v, 3) for k, v in totals.items()}
        res.update(import_s=round(t_job - t_start, 3), job_s=round(job_s, 3), exit=code, wrapped=wrapped,
                   other_in_job_s=round(job_s - sum(totals.values()), 3))
        with open(out, "w") as fh:
            json.dump(res, fh)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
