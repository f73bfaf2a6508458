"""Shared machinery of the sequence towers (ssm, lstm): input guard, training (early stopping), save/load.

A sequence tower reads X as rows in time order (one row per decision step, e.g. one per 1-minute bar).
`predict(X)` runs the network causally over X from a zero state (row i sees rows <= i only);
`step(x, context)` continues a per-market recurrent state one row at a time (O(1)), and equals
`predict` on the same rows. Training cuts X into windows of `window_steps`, starts each from a zero
state and scores only the steps after `burn_in_steps`, so the model learns with >= burn-in context.
Context targets and the loss live in _seq_targets.py.
"""
from __future__ import annotations

import contextlib
import threading
import json
import math
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from components.tower._seq_targets import AUX_BINARY, CONTEXT_NAMES, aux_targets, group_rows, masked_loss
from components.types.signature import (SignatureMismatch, compare_signatures, make_signature, params_hash,
                                        read_signature)
from components.types.kinds import Tower
from registry import Params

class SeqParams(Params):
    """Training and input settings shared by the sequence towers."""
    window_steps: int = Field(200, ge=8, description="training window length, in input rows (bars)")
    burn_in_steps: int = Field(50, ge=0, description="first steps of each window not scored (state warm-up)")
    epochs: int = Field(6, ge=1, description="most training epochs (fewer when early stopping ends training)")
    patience_epochs: int = Field(0, ge=0, description="stop after this many epochs without a lower loss on the "
                                 "calibration rows and keep the best epoch's weights; 0 = train every epoch")
    batch_windows: int = Field(16, ge=1)
    max_windows_per_epoch: int = Field(256, ge=1, description="cap on windows drawn per epoch (CPU budget)")
    lr: float = Field(3e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    aux_weight: float = Field(0.5, ge=0, description="weight of the 4 context losses vs the label loss")
    aux_horizon_steps: int = Field(10, ge=1, description="look-ahead of the context targets, rows")
    clip_sigma: float = Field(8.0, gt=0, description="standardised inputs clipped to +-this")
    seed: int = 42
    torch_threads: int = Field(1, ge=1, description="CPU threads torch uses while training and predicting")
    device: Literal["auto", "cpu"] = Field("auto", description="auto: train on CUDA if torch sees one")
    model_path: str | None = Field(None, description="saved model folder to load instead of training")

    @model_validator(mode="after")
    def _burn_in_inside_window(self):
        if self.burn_in_steps >= self.window_steps:
            raise ValueError(f"burn_in_steps ({self.burn_in_steps}) must be < window_steps "
                             f"({self.window_steps}): no step of a window would be scored")
        return self


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
        self.best_epoch: int | None = None      # epoch whose weights were kept by early stopping
        # Bars between two training rows (the walk-forward's stride_bars): the state advances once per this many
        # steps, so a model trained on every 2nd bar is served every 2nd bar, not on a cadence it never saw.
        self.step_bars = 1
        self._live: dict[str, Any] = {}
        self._held: dict[str, list] = {}        # market -> [steps seen, last output] for the step cadence

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
            span_ms: tuple[int, int] | None = None, label: str = "", X_cal: np.ndarray | None = None,
            y_cal: np.ndarray | None = None, groups_cal: np.ndarray | None = None,
            close_cal: np.ndarray | None = None, volume_cal: np.ndarray | None = None,
            cal_ts_ms: np.ndarray | None = None, **kw: Any) -> "SequenceTower":
        """Train on rows in time order. `groups` (e.g. the market of each row) keeps sequences apart:
        windows never mix groups, and groups shorter than one window are skipped. `close`/`volume`
        per row (optional) feed the context targets; without `close` the 4 context outputs are
        untrained (`aux_trained` False) and read 0. Calibration rows (X_cal, y_cal, groups_cal,
        close_cal, volume_cal; same layout) only serve early stopping (`patience_epochs` > 0): after each
        epoch the training loss is measured on them, and after `patience_epochs` epochs without a lower
        one training stops and the weights of the best epoch are kept; the signature's span then reaches
        the last `cal_ts_ms`. Without them (or with patience 0) every epoch runs."""
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
        rows = group_rows(groups, len(y))
        A = self._context_targets(rows, len(y), close, volume)
        self.aux_trained = close is not None
        p = self.p
        L = min(p.window_steps, max(len(r) for r in rows))
        burn = min(p.burn_in_steps, L // 4) if L < p.window_steps else p.burn_in_steps
        stride = max(1, L - burn)
        rows = [r for r in rows if len(r) >= L]
        cal = self._cal_sequences(X_cal, y_cal, groups_cal, close_cal, volume_cal, burn) if p.patience_epochs else []
        if cal and span_ms and cal_ts_ms is not None and len(cal_ts_ms):   # its labels chose the weights
            span_ms = (span_ms[0], max(span_ms[1], int(np.max(cal_ts_ms))))

        with torch_threads(p.torch_threads):
            torch.manual_seed(p.seed)
            rng = np.random.default_rng(p.seed)
            dev = "cuda" if p.device == "auto" and torch.cuda.is_available() else "cpu"
            net = self._make_net(Z.shape[1]).to(dev)
            _prior_bias(net, y)
            opt = torch.optim.AdamW(net.parameters(), lr=p.lr, weight_decay=p.weight_decay)
            Zt, yt, At = (torch.from_numpy(a.astype(np.float32)) for a in (Z, y, A))
            binary = torch.from_numpy(AUX_BINARY).to(dev)
            self.train_log, self.best_epoch = [], None
            best_loss, best_state = math.inf, None
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
                    loss = masked_loss(out, yb, ab, binary, p.aux_weight)
                    opt.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                    opt.step()
                    total += float(loss.detach()) * len(idx)
                    count += len(idx)
                self.train_log.append({"epoch": epoch, "loss": total / max(count, 1), "windows": count})
                if not cal:
                    continue
                cal_loss = self._cal_loss(net, cal, burn, binary, dev)
                self.train_log[-1]["cal_loss"] = cal_loss
                if cal_loss < best_loss:      # ties keep the earlier (less trained) weights
                    best_loss, self.best_epoch = cal_loss, epoch
                    best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
                elif self.best_epoch is not None and epoch - self.best_epoch >= p.patience_epochs:
                    break
            if best_state is not None:
                net.load_state_dict(best_state)
            net = net.cpu().eval()
        self._net = net
        from components.tower._ssm_core import export_weights
        self.weights = export_weights(net)
        self.signature = make_signature(self.component_name, self.p, self.feature_names, span_ms, label,
                                        libraries=("torch", "numpy"), ignore=SEQ_RUNTIME_KEYS)
        self._live.clear()
        self._held.clear()
        return self

    def _context_targets(self, rows: list[np.ndarray], n: int, close, volume) -> np.ndarray:
        """(n, 4) context targets computed per group (NaN without `close`)."""
        A = np.full((n, 4), np.nan)
        if close is not None:
            close = np.asarray(close, np.float64)
            vol = None if volume is None else np.asarray(volume, np.float64)
            for r in rows:
                A[r] = aux_targets(close[r], None if vol is None else vol[r], self.p.aux_horizon_steps)
        return A

    def _cal_sequences(self, X_cal, y_cal, groups_cal, close_cal, volume_cal, burn: int) -> list:
        """Calibration rows as one causal sequence per group: (inputs (1,n,f), labels, context targets)
        scored after `burn` steps, as the training windows are; [] when nothing would be scored."""
        import torch
        if X_cal is None or y_cal is None or len(y_cal) == 0:
            return []
        y_cal = np.asarray(y_cal, np.float64).reshape(-1)
        Zc = self._standardise(X_cal)
        rows = [r for r in group_rows(groups_cal, len(y_cal)) if len(r) > burn]
        Ac = self._context_targets(rows, len(y_cal), close_cal if self.aux_trained else None, volume_cal)
        if not any(np.isfinite(y_cal[r[burn:]]).any() for r in rows):
            return []
        return [(torch.from_numpy(Zc[None, r]), torch.from_numpy(y_cal[r[burn:]].astype(np.float32)),
                 torch.from_numpy(Ac[r[burn:]].astype(np.float32))) for r in rows]

    def _cal_loss(self, net, cal: list, burn: int, binary, dev) -> float:
        """The training loss (label + weighted context) over all calibration sequences, no gradient."""
        import torch
        net.eval()
        with torch.no_grad():
            out = torch.cat([self._forward(net, z.to(dev))[0, burn:] for z, _, _ in cal])
            yc, ac = torch.cat([c[1] for c in cal]).to(dev), torch.cat([c[2] for c in cal]).to(dev)
            return float(masked_loss(out, yc, ac, binary, self.p.aux_weight))

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
        with torch.no_grad(), torch_threads(self.p.torch_threads):
            for r in group_rows(groups, Z.shape[0]):
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
        for r in group_rows(groups, Z.shape[0]):
            rec = self._recurrent()
            for i in r:
                raw[i] = rec.step(Z[i])
        return self._heads(raw)

    def _heads(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, np.float64).reshape(-1, 5)
        out = np.empty_like(raw)
        out[:, 0] = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        aux = raw[:, 1:]
        out[:, 1:] = np.where(AUX_BINARY, 2.0 / (1.0 + np.exp(-aux)) - 1.0, aux)
        if not self.aux_trained:
            out[:, 1:] = 0.0
        return out

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        """One bar of `context['market']`: the recurrent state advances on the first bar and then every
        `step_bars`-th (the training cadence; between, the last output holds); O(1) per call.
        `context['row']` = True advances on this call whatever the cadence (warming from training rows)."""
        if self.weights is None:
            self._ensure_loaded()
            if self.weights is None:
                raise RuntimeError(f"towers.{self.component_name}: step before fit "
                                   f"(or set towers.{self.component_name}.model_path)")
        context = context or {}
        market = context.get("market", "")
        held = self._held.get(market)
        if held is None:
            held = self._held[market] = [0, None]
        if context.get("row"):
            held[0] = 0
        n, held[0] = held[0], held[0] + 1
        if held[1] is not None and n % self.step_bars:
            return held[1]
        rec = self._live.get(market)
        if rec is None:
            rec = self._live[market] = self._recurrent()
        z = self._standardise(np.asarray(x, np.float64).reshape(1, -1))[0]
        held[1] = self._heads(rec.step(z))[0]
        return held[1]

    def reset(self, market: str | None = None) -> None:
        """Drop the live recurrent state of one market (or all): next step starts from zero."""
        if market is None:
            self._live.clear()
            self._held.clear()
        else:
            self._live.pop(market, None)
            self._held.pop(market, None)

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
        meta = {"aux_trained": self.aux_trained, "step_bars": int(self.step_bars)}
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
        obj.step_bars = int(meta.get("step_bars", 1))
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


_THREADS_LOCK = threading.Lock()
_THREADS_USERS = [0, 0]          # [blocks inside, thread count to restore when the last one leaves]


@contextlib.contextmanager
def torch_threads(n: int):
    """torch's intra-op threads = n inside the block. Its default (one per core) spins for work: on a busy
    2-core machine the small ops of these nets then cost ~10x more CPU than on one thread. The setting is
    process-wide, and the walk-forward fits towers on parallel threads: the first block in sets it, the last
    one out restores it, so one tower never resets the count under another that is still training."""
    import torch
    with _THREADS_LOCK:
        if _THREADS_USERS[0] == 0:
            _THREADS_USERS[1] = torch.get_num_threads()
            torch.set_num_threads(n)
        _THREADS_USERS[0] += 1
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _THREADS_USERS[0] -= 1
            if _THREADS_USERS[0] == 0:
                torch.set_num_threads(_THREADS_USERS[1])
