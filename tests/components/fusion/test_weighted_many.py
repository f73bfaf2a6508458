"""WeightedFusion.combine_many gives combine's floats row by row (a replay's precomputed P(up))."""
import math

import numpy as np

from components.fusion.weighted import WeightedFusion


def test_combine_many_equals_combine_per_row():
    rng = np.random.default_rng(11)
    n = 500
    cols = {"catboost": rng.random(n), "ssm": rng.random(n), "momentum_rule": rng.random(n), "hfp": rng.random(n)}
    cols["catboost"][::5] = math.nan
    cols["ssm"][::7] = math.inf
    cols["ssm"][::5] = math.nan
    cols["hfp"][::5] = math.nan
    for unmapped in (0.0, 0.3):
        f = WeightedFusion(WeightedFusion.Params(unmapped_weight=unmapped))
        for cls in ("majors", "alts"):
            for ids in (list(cols), ["momentum_rule"], ["ssm", "momentum_rule"]):
                sub = {k: cols[k] for k in ids}
                got = f.combine_many(sub, cls).tolist()
                want = [f.combine({k: float(v[i]) for k, v in sub.items()}, cls) for i in range(n)]
                assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(got, want)), (unmapped, cls, ids)
