"""Fold fits on worker processes (engine/wf_fit.py): folds finished lazily in order, pool closed after the last;
the bench's phase split counts a fold finished inside the replay as fit time."""
import time
from types import SimpleNamespace

import pytest

from engine.wf_fit import FittedFolds


class _Pool:
    closed = 0

    def close(self):
        self.closed += 1


def _folds(n):
    return [SimpleNamespace(k=k, bounds_ms={"test_start": 1000 * (k + 1)}) for k in range(n)]


def test_folds_are_finished_in_order_on_first_read_and_the_pool_closed_after_the_last():
    finished, pool = [], _Pool()
    fitted = FittedFolds(_folds(3), lambda f: finished.append(f.k) or (f, f"row{f.k}"), pool)
    assert fitted.test_starts == [1000, 2000, 3000] and finished == [] and len(fitted) == 3
    assert fitted[1][1] == "row1" and finished == [0, 1] and pool.closed == 0 and fitted.ready_at is None
    assert fitted[0][1] == "row0" and finished == [0, 1]            # read again: not finished twice
    assert [r[1] for r in fitted] == ["row0", "row1", "row2"] and finished == [0, 1, 2]
    assert pool.closed == 1 and fitted.ready_at is not None
    assert [r[1] for r in reversed(fitted)] == ["row2", "row1", "row0"]
    fitted.close()
    assert pool.closed == 1
    with pytest.raises(IndexError):
        fitted[3]


def test_a_fold_finished_inside_the_replay_counts_as_fit_not_replay(monkeypatch):
    from engine.bench import _phases
    totals = {k: 0.0 for k in _phases.STEPS}
    fit = _phases._wrap(totals, "fit_s", lambda: time.sleep(0.2))

    def replay():
        time.sleep(0.1)
        fit()                       # the replay waits for a fold's models at its test start

    _phases._wrap(totals, "replay_s", replay)()
    assert totals["fit_s"] == pytest.approx(0.2, abs=0.08) and totals["replay_s"] == pytest.approx(0.1, abs=0.08)
    load = _phases._wrap(totals, "load_s", lambda: time.sleep(0.05))
    _phases._wrap(totals, "fit_s", load)()          # any other step inside another: the outer one counts it
    assert totals["load_s"] == 0.0 and totals["fit_s"] == pytest.approx(0.25, abs=0.1)
