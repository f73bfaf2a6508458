"""FeatureSet: the configured features of ONE market, online (per event) and batch (whole stream) forms."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import registry
from components.feature._base import BASE_WIDTH, KIND_CODE, KernelFeature, encode, encode_stream, new_bar
from components.feature._kernels import bar_step
from components.types.events import TRADE
from engine.conf import plain


class FeatureSet:
    """Built from the `features` config mapping (id -> node); one instance per market.

    Columns are named `id` for single-output features and `id.output` otherwise, in config order.
    `update(event)` encodes the event once and hands it to every feature that listens to its kind;
    `vector()` is the current row; `batch(stream)` returns the same rows for a whole MarketStream.
    """

    def __init__(self, features: Mapping[str, Any]) -> None:
        self.features: dict[str, Any] = dict(features)
        self.names: list[str] = []
        self._slices: list[tuple[Any, int, int]] = []
        for fid, f in self.features.items():
            outs = tuple(f.outputs)
            start = len(self.names)
            self.names.extend([fid] if len(outs) == 1 else [f"{fid}.{o}" for o in outs])
            self._slices.append((f, start, len(outs)))
        self._by_kind: dict[int, list[Any]] = {code: [] for code in KIND_CODE.values()}
        # candle features on bars built from trades share one bar builder per bar length: the bars are
        # identical to each feature's own (same bar_step kernel), and a trade costs one call, not one each
        groups: dict[int, list[Any]] = {}
        for f in self.features.values():
            if isinstance(f, KernelFeature) and f.from_trades:
                groups.setdefault(int(f.p.bar_s), []).append(f)
                continue
            for kind in _listens(f):
                self._by_kind[KIND_CODE[kind]].append(f)
        self._bar_groups = [(new_bar(bar_s), np.empty(BASE_WIDTH), fs) for bar_s, fs in groups.items()]
        self._row = np.empty(BASE_WIDTH)
        self._vec = np.full(len(self.names), np.nan)

    @classmethod
    def from_config(cls, nodes: Mapping[str, Any] | None, path: str = "features") -> "FeatureSet":
        """Build every node; all problems are raised together as one ConfigError."""
        nodes = plain(nodes)
        built, problems = {}, []
        for fid, node in (nodes or {}).items():
            try:
                built[str(fid)] = registry.build("feature", node, path=f"{path}.{fid}")
            except registry.ConfigError as e:
                problems.extend(e.problems)
        if problems:
            raise registry.ConfigError(problems)
        return cls(built)

    # -- static description -------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return list(self.features)

    @property
    def needs(self) -> frozenset[str]:
        """Union of the event kinds the features require from the feed."""
        return frozenset().union(*(f.needs for f in self.features.values())) if self.features else frozenset()

    @property
    def needs_by_feature(self) -> dict[str, frozenset[str]]:
        return {fid: frozenset(f.needs) for fid, f in self.features.items()}

    def column(self, capability: str) -> int:
        """Column of the first feature that provides `capability` (its first output); -1 if none does.

        The engine finds its inputs (hurst for the random-walk switch, vol_regime, vpin, kyle_lambda for
        entry and sizing) by what a feature provides, never by the id the config gave it."""
        for f, start, _ in self._slices:
            if capability in getattr(f, "provides", ()):
                return start
        return -1

    @property
    def providers(self) -> dict[str, str]:
        """capability -> id of the first feature providing it (towers resolve capability inputs with it)."""
        out: dict[str, str] = {}
        for fid, f in self.features.items():
            for cap in getattr(f, "provides", ()):
                out.setdefault(cap, fid)
        return out

    @property
    def warmup(self) -> int:
        """Largest per-feature warmup (events of the needed kinds; a lower bound for volume-bucket features)."""
        return max((int(f.warmup) for f in self.features.values()), default=0)

    def __len__(self) -> int:
        return len(self.names)

    # -- online --------------------------------------------------------------------------------
    def reset(self) -> None:
        for f in self.features.values():
            f.reset()
        for bar, _, fs in self._bar_groups:
            bar[:] = new_bar(int(fs[0].p.bar_s))

    def update(self, event: Any) -> None:
        """Hand one event of this market to every feature that listens to its kind (features inside a
        FeatureSet are driven by it: call the set's update, not the features' own)."""
        listeners = self._by_kind.get(event.kind)
        groups = self._bar_groups if event.kind == TRADE else ()
        if not listeners and not groups:
            return
        self._row = row = encode(event, self._row)
        for f in listeners:
            f.apply_row(row)
        for bar, bar_row, fs in groups:
            rc = bar_step(bar, row, bar_row)
            if rc == 1:
                for f in fs:
                    type(f).step(f.s, bar_row)
            elif rc == 2:
                for f in fs:
                    f.reject(row)

    def vector(self) -> np.ndarray:
        """Current feature row (float64, len(names)); NaN where a feature is not warm yet."""
        vec = self._vec
        for f, start, n in self._slices:
            vec[start:start + n] = f.s[:n]
        return vec.copy()

    def ready(self) -> bool:
        """Every feature warm and finite: the engine skips inference until this is True."""
        return bool(np.isfinite(self.vector()).all())

    def invalid_counts(self) -> dict[str, int]:
        return {fid: int(getattr(f, "invalid_count", 0)) for fid, f in self.features.items()}

    # -- batch ---------------------------------------------------------------------------------
    def batch(self, stream: Any) -> tuple[np.ndarray, list[str]]:
        """(X, names): X[i] equals `vector()` right after event i of `stream` was given to `update`."""
        E = encode_stream(stream)
        X = np.empty((len(stream), len(self.names)))
        for f, start, n in self._slices:
            X[:, start:start + n] = f.batch(stream, rows=E)
        return X, list(self.names)


def _listens(f: Any) -> frozenset[str]:
    return frozenset(getattr(f, "listen_kinds", None) or f.needs)
