"""Oblivious-tree evaluator: CatBoost trees exported to arrays, scored by a numba kernel (one row ~µs)."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(slots=True)
class Trees:
    """Tree t uses splits feat[off[t]:off[t+1]] > border[...] (bit k of the leaf index = split k)."""
    feat: np.ndarray       # int64, all splits of all trees
    border: np.ndarray     # float64
    off: np.ndarray        # int64, len n_trees + 1
    leaf_off: np.ndarray   # int64, len n_trees + 1
    leaves: np.ndarray     # float64
    scale: float
    bias: float


def export(model) -> Trees:
    """Read a fitted CatBoostClassifier's float-feature oblivious trees via its JSON export."""
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        model.save_model(path, format="json")
        with open(path) as fh:
            doc = json.load(fh)
    finally:
        os.unlink(path)
    for ff in doc["features_info"].get("float_features", []):
        if ff.get("nan_value_treatment", "AsFalse") == "AsTrue":
            raise ValueError("oblivious export supports nan_mode=Min only (NaN -> split false)")
    feat, border, off, leaves, leaf_off = [], [], [0], [], [0]
    for tree in doc["oblivious_trees"]:
        for s in tree.get("splits", []):
            if s.get("split_type", "FloatFeature") != "FloatFeature":
                raise ValueError(f"unsupported CatBoost split type {s.get('split_type')}")
            feat.append(int(s["float_feature_index"]))
            border.append(float(s["border"]))
        off.append(len(feat))
        leaves.extend(float(v) for v in tree["leaf_values"])
        leaf_off.append(len(leaves))
    sb = doc.get("scale_and_bias", [1.0, [0.0]])
    bias = sb[1][0] if isinstance(sb[1], list) else sb[1]
    return Trees(np.asarray(feat, np.int64), np.asarray(border, np.float64), np.asarray(off, np.int64),
                 np.asarray(leaf_off, np.int64), np.asarray(leaves, np.float64), float(sb[0]), float(bias))


@njit(cache=True)
def _raw_one(x, feat, border, off, leaf_off, leaves):
    total = 0.0
    for t in range(off.shape[0] - 1):
        idx = 0
        for k in range(off[t + 1] - off[t]):
            s = off[t] + k
            if x[feat[s]] > border[s]:          # NaN compares False: CatBoost's nan_mode=Min
                idx |= 1 << k
        total += leaves[leaf_off[t] + idx]
    return total


@njit(cache=True)
def _raw_many(X, feat, border, off, leaf_off, leaves):
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = _raw_one(X[i], feat, border, off, leaf_off, leaves)
    return out


def predict_one(trees: Trees, x: np.ndarray) -> float:
    z = trees.scale * _raw_one(x, trees.feat, trees.border, trees.off, trees.leaf_off, trees.leaves) + trees.bias
    return 1.0 / (1.0 + np.exp(-z))


def predict_proba(trees: Trees, X: np.ndarray) -> np.ndarray:
    z = trees.scale * _raw_many(np.ascontiguousarray(X, np.float64), trees.feat, trees.border, trees.off,
                                trees.leaf_off, trees.leaves) + trees.bias
    return 1.0 / (1.0 + np.exp(-z))


def reference_raw(trees: Trees, X: np.ndarray) -> np.ndarray:
    """Plain NumPy twin of the kernel (reference test)."""
    X = np.asarray(X, np.float64)
    total = np.zeros(X.shape[0])
    for t in range(len(trees.off) - 1):
        idx = np.zeros(X.shape[0], np.int64)
        for k, s in enumerate(range(trees.off[t], trees.off[t + 1])):
            with np.errstate(invalid="ignore"):
                idx |= (X[:, trees.feat[s]] > trees.border[s]).astype(np.int64) << k
        total += trees.leaves[trees.leaf_off[t] + idx]
    return trees.scale * total + trees.bias
