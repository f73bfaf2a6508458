"""Every fold's tower fits queued at once on forked worker processes, so the cores stay busy across folds.

Inside one fold the towers are uneven (the ssm trains longer than catboost, regime is instant), and fitting fold
after fold leaves a core idle at every fold's end. Here each (fold, tower) fit is one task, longest towers first
within a fold, and the walk-forward collects fold k's fits when it gets to fold k. Processes, not threads: the
sequence towers dispatch many small torch ops from Python, and a thread doing Python beside them (another tower's
bulk predict, the fold's pricing) makes each op wait for the GIL (measured 3x slower). Fits and predictions are
the ones an in-process fit computes (same code, same seeds, one thread each): only the wall time changes.
"""
from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# The fit inputs, set before the workers fork: they inherit them, so nothing big is pickled to them.
_JOB: dict[str, Any] = {}


def pool_workers(wf: Any) -> int:
    """Worker processes for the fold fits: `walkforward.fit_threads` where processes can fork (and this one
    may have children: not a daemon worker), else 0 (fits then run in-process, a fold's towers side by side on
    threads)."""
    n = int(getattr(wf, "fit_threads", 1) or 1)
    forks = "fork" in mp.get_all_start_methods() and not mp.current_process().daemon
    return n if n > 1 and forks else 0


def _fit_task(k: int, tid: str) -> tuple[float, dict, dict] | None:
    """In a worker: fit and predict one tower of fold k; (seconds, predictions, tower state) or None on failure
    (the parent then fits it in-process, where the error is raised with its own type and traceback)."""
    from engine import ensemble
    ds, folds, make_towers, label_id = _JOB["args"]
    fold = folds[k]
    try:
        tower = make_towers()[tid]
        secs, got = ensemble.fit_predict(tower, ds, fold, label_id)
    except Exception:
        return None
    # a torch module stays in the worker: the tower rebuilds it from its exported weights if it ever needs it
    return secs, got, {key: v for key, v in vars(tower).items() if key != "_net"}


class FoldFits:
    """The fits of every fold, started at once on `workers` processes; `get(k)` waits for fold k's.

    Two lanes where the towers are of both kinds: the sequence towers on their own process(es), the others on
    the rest, so torch is imported (and its fits queued in fold order) on one lane only."""

    def __init__(self, ds: Any, folds: list, make_towers: Callable[[], dict], label_id: str, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor
        from engine.ensemble import is_sequence
        self.ds, self.folds, self.label_id = ds, folds, label_id
        self.towers = [make_towers() for _ in folds]      # built here: a config error surfaces before any fork
        first = self.towers[0] if self.towers else {}
        order = sorted(first, key=lambda tid: not is_sequence(first[tid]))    # the long sequence fits first
        kinds = {tid: bool(is_sequence(first[tid])) for tid in order}
        both = len(set(kinds.values())) == 2 and workers >= 2
        seq_n = max(1, workers // 2) if both else workers
        _JOB["args"] = (ds, folds, make_towers, label_id)
        ctx = mp.get_context("fork")
        self.pools = [ProcessPoolExecutor(seq_n, mp_context=ctx)]
        if both:
            self.pools.append(ProcessPoolExecutor(workers - seq_n, mp_context=ctx))
        lane = {tid: self.pools[0] if kinds[tid] or not both else self.pools[1] for tid in order}
        self.futures = [{tid: lane[tid].submit(_fit_task, k, tid) for tid in order} for k in range(len(folds))]

    def get(self, k: int) -> tuple[dict, dict]:
        """(towers, tid -> (fit seconds, {"cal": P(up), "test": P(up)})) of fold k, fitted."""
        from engine import ensemble
        towers, fold, done = self.towers[k], self.folds[k], {}
        for tid, fut in self.futures[k].items():
            try:
                res = fut.result()
            except Exception:  # noqa: BLE001  a worker that died (killed, out of memory) breaks its pool
                res = None
            if res is None:                    # failed in the worker: again here, to raise the real error
                res = (*ensemble.fit_predict(towers[tid], self.ds, fold, self.label_id), None)
            secs, got, state = res
            if state is not None:
                vars(towers[tid]).update(state)
            done[tid] = (secs, {key: np.asarray(v) for key, v in got.items()})
        return towers, done

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)
        _JOB.clear()


class FittedFolds(Sequence):
    """[(fold, metrics row, towers, entry, fusion)] in fold order, each finished by `finish(fold)` when first
    read (a replay reads fold k at its test start); `test_starts` needs none of them. The worker pool is closed
    once the last fold is finished, or by `close`."""

    def __init__(self, folds: list, finish: Callable[[Any], tuple], pool: FoldFits | None = None) -> None:
        self.folds, self._finish, self._pool, self._done = folds, finish, pool, []
        self.ready_at: float | None = None      # perf_counter when the last fold was finished

    def __len__(self) -> int:
        return len(self.folds)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = range(len(self.folds))[k]           # IndexError past the end ends an iteration
        while len(self._done) <= k:
            self._done.append(self._finish(self.folds[len(self._done)]))
            if len(self._done) == len(self.folds):
                self.ready_at = time.perf_counter()
                self.close()
        return self._done[k]

    @property
    def test_starts(self) -> list[int]:
        return [int(f.bounds_ms["test_start"]) for f in self.folds]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
