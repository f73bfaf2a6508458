"""Shared machinery of the sequence towers (ssm, lstm): input guard, auxiliary targets, training, save/load.

A sequence tower reads X as rows in time order (one row per decision step, e.g. one per 1-minute bar).
`predict(X)` runs the network causally over X from a zero state (row i sees rows <= i only);
`step(x, context)` continues a per-market recurrent state one row at a time (O(1)), and equals
`predict` on the same rows. Training cuts X into windows of `window_steps`, starts each from a zero
state and scores only the steps after `burn_in_steps`, so the model learns with >= burn-in context.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from components.types.signature import (SignatureMismatch, compare_signatures, make_signature, params_hash,
                                        read_signature)
from components.types.kinds import Tower
from registry import Params

CONTEXT_NAMES = ("bull_bear", "vol_regime", "liq_state", "mom_persist")
# Which auxiliary heads are binary (trained with BCE, reported as 2p-1 in [-1, 1]) vs regression.
_AUX_BINARY = np.array([True, False, False, True])


class SeqParams(Params):
    """Training and input settings shared by the sequence towers."""
    window_steps: int = Field(200, ge=8, description="training window length, in input rows (bars)")
    burn_in_steps: int = Field(50, ge=0, description="first steps of each window not scored (state warm-up)")
    epochs: int = Field(6, ge=1)
    batch_windows: int = Field(16, ge=1)
    max_windows_per_epoch: int = Field(256, ge=1, description="cap on windows drawn per epoch (CPU budget)")
    lr: float = Field(3e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    aux_weight: float = Field(0.5, ge=0, description="weight of the 4 context losses vs the label loss")
    aux_horizon_steps: int = Field(10, ge=1, description="look-ahead of the context targets, rows")
    clip_sigma: float = Field(8.0, gt=0, description="standardised inputs clipped to +-this")
    seed: int = 42
    torch_threads: int = Field(1, ge=1, description="CPU threads used while training")
    device: Literal["auto", "cpu"] = Field("auto", description="auto: train on CUDA if torch sees one")
    model_path: str | None = Field(None, description="saved model folder to load instead of training")

    @model_validator(mode="after")
    def _burn_in_inside_window(self):
        if self.burn_in_steps >= self.window_steps:
            raise ValueError(f"burn_in_steps ({self.burn_in_steps}) must be < window_steps "
                             f"({self.window_steps}): no step of a window would be scored")
        return self


def aux_targets(close: np.ndarray, volume: np.ndarray | None, horizon: int) -> np.ndarray:
    """Context targets per row (NaN where undefined), all looking `horizon` rows ahead:

    bull_bear   1 if close[t+h] > close[t], 0 if lower (NaN if unchanged)
    vol_regime  log(realised vol of the next h 1-step log returns / that of the last h)
    liq_state   log(mean volume of the next h rows / mean volume of the last 60 rows)
    mom_persist 1 if sign(return over next h) == sign(return over last h), else 0 (NaN if either is 0)
    They are labels: walk-forward embargo must cover `horizon` rows, as for any label.
    """
    close = np.asarray(close, np.float64)
    n = close.shape[0]
    out = np.full((n, 4), np.nan)
    lr = np.zeros(n)
    lr[1:] = np.log(close[1:] / close[:-1])
    h = horizon
    if n <= 2 * h:
        return out
    fut = np.full(n, np.nan)
    fut[:n - h] = np.log(close[h:] / close[:n - h])
    past = np.full(n, np.nan)
    past[h:] = np.log(close[h:] / close[:n - h])
    out[:, 0] = np.where(fut > 0, 1.0, np.where(fut < 0, 0.0, np.nan))
    csum, csum2 = np.concatenate([[0.0], np.cumsum(lr)]), np.concatenate([[0.0], np.cumsum(lr * lr)])

    def rolling_std(a: int, b: np.ndarray) -> np.ndarray:  # std of lr[a_i+1 .. b_i] with window h
        s, s2 = csum[b + 1] - csum[b + 1 - a], csum2[b + 1] - csum2[b + 1 - a]
        return np.sqrt(np.maximum(s2 / a - (s / a) ** 2, 0.0))

    t = np.arange(h, n - h)
    v_past, v_fut = rolling_std(h, t), rolling_std(h, t + h)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[t, 1] = np.where((v_past > 0) & (v_fut > 0), np.log(v_fut / v_past), np.nan)
        out[:, 3] = np.where((fut != 0) & (past != 0) & np.isfinite(fut) & np.isfinite(past),
                             (np.sign(fut) == np.sign(past)).astype(float), np.nan)
        if volume is not None:
            vol = np.nan_to_num(np.asarray(volume, np.float64), nan=0.0)
            cv = np.concatenate([[0.0], np.cumsum(vol)])
            t2 = np.arange(59, n - h)
            trail, ahead = (cv[t2 + 1] - cv[t2 - 59]) / 60, (cv[t2 + 1 + h] - cv[t2 + 1]) / h
            out[t2, 2] = np.where((trail > 0) & (ahead > 0), np.log(ahead / trail), np.nan)
    return out


# Runtime-only keys: they change where/how fast the model trains, not what it computes.
SEQ_RUNTIME_KEYS = ("torch_threads", "device")


class SequenceTower(Tower):
    """Base for towers that run a recurrent network over rows in time order (see module docstring)."""
    outputs: ClassVar[tuple[str, ...]] = ("p_up",) + CONTEXT_NAMES
    trainable: ClassVar[bool] = True
    sequential: ClassVar[bool] = True

    def __init__(self, p: SeqParams) -> None:
        self.p = p
        self.feature_names: list[str] = []
        self.mean = self.std = None
        self.weights: dict[str, np.ndarray] | None = None
        self.signature: dict[str, Any] = {}
        self.nonfinite_inputs = 0      # NaN/inf input values replaced before reaching the network
        self.aux_trained = False
        self.train_log: list[dict[str, float]] = []
        self._live: dict[str, Any] = {}

    # --- subclass hooks -------------------------------------------------------------------------
    def _make_net(self, n_in: int):
        raise NotImplementedError

    def _recurrent(self):
        """A fresh per-market NumPy recurrent stepper over `self.weights`."""
        raise NotImplementedError

    # --- input guard ------------------------------------------------------------------------------
    def _standardise(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise ValueError(f"tower '{self.component_name}': expected rows of {len(self.feature_names)} "
                             f"features {self.feature_names[:3]}..., got shape {X.shape}")
        Z = (X - self.mean) / self.std
        bad = ~np.isfinite(Z)
        n_bad = int(bad.sum())
        if n_bad:
            self.nonfinite_inputs += n_bad
            Z[bad] = 0.0      # = the training mean: "no information" rather than a made-up extreme
        return np.clip(Z, -self.p.clip_sigma, self.p.clip_sigma).astype(np.float32)

    # --- training -------------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], *, close: np.ndarray | None = None,
            volume: np.ndarray | None = None, groups: np.ndarray | None = None,
            span_ms: tuple[int, int] | None = None, label: str = "", **kw: Any) -> "SequenceTower":
        """Train on rows in time order. `groups` (e.g. the market of each row) keeps sequences apart:
        windows never mix groups, and groups shorter than one window are skipped. `close`/`volume`
        per row (optional) feed the context targets; without `close` the 4 context outputs are
        untrained (`aux_trained` False) and read 0. Calibration-fold kwargs (X_cal, y_cal, ...) are
        accepted and unused: the head is trained with BCE and not recalibrated."""
        import torch

        X = np.asarray(X, np.float64)
        y = np.asarray(y, np.float64).reshape(-1)
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}")
        self.feature_names = list(feature_names)
        with np.errstate(all="ignore"):
            self.mean = np.nan_to_num(np.nanmean(np.where(np.isfinite(X), X, np.nan), axis=0))
            std = np.nanstd(np.where(np.isfinite(X), X, np.nan), axis=0)
        self.std = np.where(np.isfinite(std) & (std > 1e-12), std, 1.0)
        Z = self._standardise(X)
        rows = _group_rows(groups, len(y))
        A = np.full((len(y), 4), np.nan)
        if close is not None:
            close = np.asarray(close, np.float64)
            vol = None if volume is None else np.asarray(volume, np.float64)
            for r in rows:
                A[r] = aux_targets(close[r], None if vol is None else vol[r], self.p.aux_horizon_steps)
        self.aux_trained = close is not None
        p = self.p
        L = min(p.window_steps, max(len(r) for r in rows))
        burn = min(p.burn_in_steps, L // 4) if L < p.window_steps else p.burn_in_steps
        stride = max(1, L - burn)
        rows = [r for r in rows if len(r) >= L]

        threads = torch.get_num_threads()
        torch.set_num_threads(p.torch_threads)
        try:
            torch.manual_seed(p.seed)
            rng = np.random.default_rng(p.seed)
            dev = "cuda" if p.device == "auto" and torch.cuda.is_available() else "cpu"
            net = self._make_net(Z.shape[1]).to(dev)
            _prior_bias(net, y)
            opt = torch.optim.AdamW(net.parameters(), lr=p.lr, weight_decay=p.weight_decay)
            Zt, yt, At = (torch.from_numpy(a.astype(np.float32)) for a in (Z, y, A))
            binary = torch.from_numpy(_AUX_BINARY)
            self.train_log = []
            for epoch in range(p.epochs):
                wins = []
                for r in rows:          # a fresh random phase per epoch: window edges move around
                    off = int(rng.integers(0, stride)) if len(r) - L >= stride else 0
                    wins.extend(r[s:s + L] for s in range(off, len(r) - L + 1, stride))
                order = rng.permutation(len(wins))[:p.max_windows_per_epoch]
                total, count = 0.0, 0
                net.train()
                for b0 in range(0, len(order), p.batch_windows):
                    idx = torch.from_numpy(np.stack([wins[i] for i in order[b0:b0 + p.batch_windows]]))
                    xb, yb, ab = Zt[idx].to(dev), yt[idx][:, burn:].to(dev), At[idx][:, burn:].to(dev)
                    out = self._forward(net, xb)[:, burn:]
                    loss = _masked_loss(out, yb, ab, binary.to(dev), p.aux_weight)
                    opt.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                    opt.step()
                    total += float(loss.detach()) * len(idx)
                    count += len(idx)
                self.train_log.append({"epoch": epoch, "loss": total / max(count, 1), "windows": count})
            net = net.cpu().eval()
        finally:
            torch.set_num_threads(threads)
        self._net = net
        from components.tower._ssm_core import export_weights
        self.weights = export_weights(net)
        self.signature = make_signature(self.component_name, self.p, self.feature_names, span_ms, label,
                                        libraries=("torch", "numpy"), ignore=SEQ_RUNTIME_KEYS)
        self._live.clear()
        return self

    def _forward(self, net, xb, state=None, return_state: bool = False):
        out, st = net(xb, state)
        return (out, st) if return_state else out

    # --- inference --------------------------------------------------------------------------------
    def _net_or_load(self):
        net = getattr(self, "_net", None)
        if net is None:
            import torch
            net = self._make_net(len(self.feature_names))
            net.load_state_dict({k: torch.from_numpy(v) for k, v in self.weights.items()})
            self._net = net.eval()
        return net

    # Bulk inference path: "parallel" = the torch training forward (chunked scan / nn.LSTM);
    # "recurrent" = the live per-row step (the ssm's numba kernel is faster than torch on CPU).
    bulk_path: ClassVar[str] = "parallel"

    def predict(self, X: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """Causal forward from a zero state -> (n, 5): p_up + the 4 context values. With `groups`,
        each group's rows form their own sequence (as `step` keeps one state per market)."""
        if self.bulk_path == "recurrent":
            return self.predict_recurrent(X, groups)
        return self.predict_parallel(X, groups)

    def _ready_inputs(self, X: np.ndarray) -> np.ndarray:
        self._ensure_loaded()
        if self.weights is None:
            raise RuntimeError(f"towers.{self.component_name}: predict before fit "
                               f"(or set towers.{self.component_name}.model_path)")
        return self._standardise(X)

    def predict_parallel(self, X: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """`predict` through the torch network's full-sequence forward (the training code path)."""
        import torch
        Z = self._ready_inputs(X)
        net = self._net_or_load()
        raw = np.zeros((Z.shape[0], 5), np.float32)
        with torch.no_grad():
            for r in _group_rows(groups, Z.shape[0]):
                state = None
                for s0 in range(0, len(r), 2048):   # segments carry the state: memory stays bounded
                    seg = r[s0:s0 + 2048]
                    out, state = self._forward(net, torch.from_numpy(Z[None, seg]), state, True)
                    raw[seg] = out[0].numpy()
        return self._heads(raw)

    def predict_recurrent(self, X: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """`predict` by stepping a fresh recurrent state per group through its rows (the live path)."""
        Z = self._ready_inputs(X)
        raw = np.zeros((Z.shape[0], 5), np.float32)
        for r in _group_rows(groups, Z.shape[0]):
            rec = self._recurrent()
            for i in r:
                raw[i] = rec.step(Z[i])
        return self._heads(raw)

    def _heads(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, np.float64).reshape(-1, 5)
        out = np.empty_like(raw)
        out[:, 0] = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        aux = raw[:, 1:]
        out[:, 1:] = np.where(_AUX_BINARY, 2.0 / (1.0 + np.exp(-aux)) - 1.0, aux)
        if not self.aux_trained:
            out[:, 1:] = 0.0
        return out

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        """Advance the recurrent state of `context['market']` by one row; O(1) per call."""
        if self.weights is None:
            self._ensure_loaded()
            if self.weights is None:
                raise RuntimeError(f"towers.{self.component_name}: step before fit "
                                   f"(or set towers.{self.component_name}.model_path)")
        market = (context or {}).get("market", "")
        rec = self._live.get(market)
        if rec is None:
            rec = self._live[market] = self._recurrent()
        z = self._standardise(np.asarray(x, np.float64).reshape(1, -1))[0]
        return self._heads(rec.step(z))[0]

    def reset(self, market: str | None = None) -> None:
        """Drop the live recurrent state of one market (or all): next step starts from zero."""
        if market is None:
            self._live.clear()
        else:
            self._live.pop(market, None)

    # --- persistence --------------------------------------------------------------------------------
    @classmethod
    def expected_signature(cls, params: Params, feature_names: list[str], label: str = "") -> dict[str, Any]:
        """The signature parts a config determines (for `scalp validate`'s model check)."""
        return {"component": cls.component_name, "params_hash": params_hash(params, SEQ_RUNTIME_KEYS),
                "feature_names": list(feature_names), "label": label}

    def bind(self, feature_names: list[str]) -> None:
        """Engine calls this once: a trained/loaded model refuses other feature names or order."""
        self._ensure_loaded()
        if self.weights is not None and list(feature_names) != self.feature_names:
            raise SignatureMismatch(self.expected_signature(self.p, feature_names), self.signature,
                                    f"towers.{self.component_name}")

    def _ensure_loaded(self) -> None:
        if self.weights is None and self.p.model_path:
            other = type(self).load(self.p.model_path)
            expected = self.expected_signature(self.p, other.feature_names)
            if compare_signatures(expected, other.signature):
                raise SignatureMismatch(expected, other.signature, self.p.model_path)
            self.__dict__.update({k: v for k, v in other.__dict__.items() if k != "p"})

    def save(self, path: str | Path) -> Path:
        """A folder: signature.json (as components/types/signature.py writes it) + model.npz (no pickle)."""
        if self.weights is None:
            raise RuntimeError(f"towers.{self.component_name}: nothing to save before fit")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "signature.json").write_text(json.dumps(self.signature, indent=1, sort_keys=True))
        meta = {"aux_trained": self.aux_trained}
        np.savez(path / "model.npz", meta_json=np.array(json.dumps(meta)), mean=self.mean, std=self.std,
                 **{f"w/{k}": v for k, v in self.weights.items()})
        return path

    @classmethod
    def load(cls, path: str | Path) -> "SequenceTower":
        path = Path(path)
        sig = read_signature(path)
        if sig.get("component") != cls.component_name:
            raise SignatureMismatch({"component": cls.component_name}, sig, str(path))
        obj = cls(cls.Params(**sig["params"]))
        with np.load(path / "model.npz", allow_pickle=False) as z:
            meta = json.loads(str(z["meta_json"]))
            obj.mean, obj.std = z["mean"], z["std"]
            obj.weights = {k[2:]: z[k] for k in z.files if k.startswith("w/")}
        obj.signature, obj.feature_names = sig, list(sig["feature_names"])
        obj.aux_trained = bool(meta["aux_trained"])
        return obj


def _prior_bias(net, y: np.ndarray) -> None:
    """Start the P(up) logit at the training base rate. Learnt through the weights instead (from 0.5),
    the base rate ends up encoded as "less down for atypical inputs": P(up) then ranks by volatility
    even with shuffled labels (leakcheck's null check measured AUC 0.61 on the barrier label)."""
    import torch
    head = getattr(net, "head", None)
    rate = float(np.nanmean(y)) if np.isfinite(y).any() else 0.5
    if head is not None and getattr(head, "bias", None) is not None and 0.0 < rate < 1.0:
        with torch.no_grad():
            head.bias[0] = float(np.log(rate / (1.0 - rate)))


def _group_rows(groups: np.ndarray | None, n: int) -> list[np.ndarray]:
    """Row indices per group, each in the given (time) order; one group of all rows when None."""
    if groups is None:
        return [np.arange(n)] if n else []
    g = np.asarray(groups).reshape(-1)
    if g.shape[0] != n:
        raise ValueError(f"groups has {g.shape[0]} entries for {n} rows")
    _, first = np.unique(g, return_index=True)
    return [np.flatnonzero(g == g[i]) for i in np.sort(first)]


def _masked_loss(out, yb, ab, binary, aux_weight: float):
    """BCE on the label + aux_weight * (BCE on binary context targets, Huber on the others); NaN masked."""
    import torch
    from torch.nn import functional as F
    m = torch.isfinite(yb)
    loss = F.binary_cross_entropy_with_logits(out[..., 0][m], yb[m]) if m.any() else out.sum() * 0
    if aux_weight > 0:
        for j in range(4):
            mj = torch.isfinite(ab[..., j])
            if not mj.any():
                continue
            pred, tgt = out[..., 1 + j][mj], ab[..., j][mj]
            lj = F.binary_cross_entropy_with_logits(pred, tgt) if binary[j] else F.huber_loss(pred, tgt)
            loss = loss + aux_weight / 4 * lj
    return loss
