"""Pick feature columns by name prefix for rule-style towers: `trend_regime` matches `trend_regime.gap`.

An input no column is named after is looked up as a capability: `hurst` finds the feature that provides
`hurst` whatever id the config gave it (`providers`, from the engine's FeatureSet)."""
from __future__ import annotations

import numpy as np

from registry import ConfigError


def weighted_columns(feature_names: list[str], inputs: dict[str, float], path: str,
                     min_columns: int, providers: dict[str, str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(column indices, their prior weights): each column takes the first prefix in `inputs` it matches."""
    def named(prefix: str) -> bool:
        return any(n == prefix or n.startswith(prefix + ".") for n in feature_names)
    inputs = {k if named(k) else (providers or {}).get(k, k): v for k, v in inputs.items()}
    cols, w = [], []
    for i, name in enumerate(feature_names):
        for prefix, weight in inputs.items():
            if name == prefix or name.startswith(prefix + "."):
                cols.append(i)
                w.append(weight)
                break
    if len(cols) < min_columns:
        raise ConfigError([(path, f"matched {len(cols)} feature columns, need {min_columns} (inputs {sorted(inputs)}); "
                                  f"selected features: {', '.join(feature_names) or '(none)'}")])
    return np.asarray(cols, np.int64), np.asarray(w, float)
