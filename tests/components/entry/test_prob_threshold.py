"""prob_threshold entry: the spec's p >= 0.60 rule."""
import math

import numpy as np

import registry


def test_enters_at_and_above_the_threshold_only():
    registry.load_all()
    e = registry.build("entry", {"component": "prob_threshold"})
    assert e.decide(0.60).enter and e.decide(0.9).enter
    assert not e.decide(0.5999).enter and not e.decide(math.nan).enter
    np.testing.assert_array_equal(e.decide_many(np.array([0.1, 0.6, 0.7, np.nan])), [False, True, True, False])
