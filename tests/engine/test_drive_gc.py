"""A plain replay pauses the cyclic collector and always turns it back on (also when the run fails)."""
import gc

import pytest

from engine.loop.lifecycle import drive


class _Loop:
    def __init__(self, fail_at=None):
        self.seen, self.fail_at, self.closed = [], fail_at, False

    def on_event(self, ev):
        if ev == self.fail_at:
            raise RuntimeError("boom")
        self.seen.append(gc.isenabled())

    def close(self):
        self.closed = True


def test_replay_runs_with_the_collector_paused_and_restores_it():
    assert gc.isenabled()
    loop = _Loop()
    drive(loop, iter(range(5)), 5, None, None)
    assert loop.seen == [False] * 5 and loop.closed and gc.isenabled()


def test_a_failing_replay_restores_the_collector():
    with pytest.raises(RuntimeError):
        drive(_Loop(fail_at=2), iter(range(5)), 5, None, None)
    assert gc.isenabled()


def test_model_swaps_keep_the_collector_on():
    loop = _Loop()
    drive(loop, iter(range(3)), 3, None, None, before=lambda ev: None)
    assert loop.seen == [True] * 3 and gc.isenabled()
