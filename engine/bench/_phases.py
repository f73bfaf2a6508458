"""`python -m engine.bench._phases OUT.json <scalp command> [overrides]`: run a CLI command in this process with
its load / fit / replay / finish steps timed (wrapped, not changed), and write the split to OUT.json."""
from __future__ import annotations

import json
import sys
import time

# step name -> functions of MODULES: the calls `scalp backtest` makes, walk-forward or not. The walk-forward
# replay starts while later folds still fit (engine/wf_fit.py): a fold finished at its test start
# (`finish_fold`: waiting for its fits, pricing it) inside the replay counts as fit, not replay.
STEPS = {"load_s": ("load_replay",), "fit_s": ("fit_folds", "finish_fold"), "replay_s": ("drive",),
         "finish_s": ("finish",)}
MODULES = ("engine.backtest", "engine.wf_backtest")
CARVED = {("replay_s", "fit_s")}        # (outer, inner): the inner step's time moves out of the outer one


_open: list = []           # the steps running now, outermost first: [key, seconds carved out of it]


def _wrap(totals: dict, key: str, fn):
    def timed(*a, **kw):
        if _open and (_open[-1][0], key) not in CARVED:   # a step inside another (fit replays bars to build
            return fn(*a, **kw)                           # its data): the outer counts
        frame = [key, 0.0]
        _open.append(frame)
        t0 = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            spent = time.perf_counter() - t0
            _open.pop()
            totals[key] += spent - frame[1]
            if _open:
                _open[-1][1] += spent
    return timed


def install(totals: dict) -> list[str]:
    """Wrap every step function found; returns the `module.function` names wrapped (a renamed step is missing)."""
    import importlib
    wrapped = []
    for mod_name in MODULES:
        mod = importlib.import_module(mod_name)
        for key, names in STEPS.items():
            for fn_name in names:
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
