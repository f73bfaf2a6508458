"""`scalp tune`: an Optuna study over a search space in conf/tune/, every trial priced by the engine's walk-forward."""
