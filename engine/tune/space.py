"""A search space file (conf/tune/<name>.yaml): settings plus `dotted.path: distribution` lines, checked strictly.

Grammar of a distribution (bounds inclusive):
    float[lo,hi]  float[lo,hi,step]   uniform real (on a grid of `step` when given)
    int[lo,hi]    int[lo,hi,step]     uniform integer
    log[lo,hi]                        log-uniform real, 0 < lo < hi
    choice[a,b,...]                   one of the values (YAML scalars: 3, 0.5, true, majors); a config group
                                      name (`exits: choice[majors,alts]`) chooses among that group's files
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.conf import conf_dir
from engine.i18n import pydantic_text, t

DIST_RE = re.compile(r"\s*(float|int|log|choice)\s*\[(.*)\]\s*", re.S)
NOT_TUNABLE = ("run", "store", "ui", "hydra")      # where results go: never part of what a trial tries


class SpaceError(ValueError):
    """Problems of a search space file: (dotted path, message) pairs, reported one per line."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}  {m}" for p, m in problems))
        self.problems = problems


class TuneSettings(BaseModel):
    """The non-parameter keys of a search space file (unknown keys refused)."""
    model_config = ConfigDict(extra="forbid")
    about: str = ""
    objective: Literal["net_pnl", "deflated_sharpe"] = "net_pnl"
    n_trials: int = Field(10, ge=1)
    pruner: Literal["median", "none"] = "median"
    startup_trials: int = Field(2, ge=0)        # trials finished before the pruner may stop one
    seed: int | None = None                     # sampler seed; null = a fresh seed per worker process
    base: list[str] = Field(default_factory=list)
    params: dict[str, str] = Field(min_length=1)


@dataclass(frozen=True)
class Dist:
    """One parameter's distribution: kind float | int | log | choice, bounds or choices, optional step."""
    path: str
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    choices: tuple = ()
    group: bool = False          # a choice among a config group's files (override `group=option`)

    def suggest(self, trial: Any) -> Any:
        if self.kind == "choice":
            return trial.suggest_categorical(self.path, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.path, int(self.low), int(self.high), step=int(self.step or 1))
        return trial.suggest_float(self.path, float(self.low), float(self.high), step=self.step,
                                   log=self.kind == "log")

    def corners(self) -> list[Any]:
        """Values a precheck composes: both bounds, or every choice."""
        return list(self.choices) if self.kind == "choice" else [self.low, self.high]


@dataclass
class Space:
    """A parsed search space: its name, file, settings and distributions in file order."""
    name: str
    file: Path
    settings: TuneSettings
    dists: list[Dist]


def override(d: Dist, value: Any) -> str:
    """The Hydra override that sets `value` at the distribution's path."""
    if isinstance(value, bool):
        value = str(value).lower()
    return f"{d.path}={value}"


def _number(text: str, integer: bool) -> int | float:
    v = yaml.safe_load(text)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        raise ValueError(t("tune.space.not_number", value=text.strip(), kind="int" if integer else "float"))
    return v


def parse_dist(path: str, text: str, groups: set[str]) -> Dist:
    """`float[0,30]` -> Dist; ValueError with a message naming the problem (the caller adds the path)."""
    m = DIST_RE.fullmatch(str(text))
    if not m:
        raise ValueError(t("tune.space.bad_grammar", text=text))
    kind, body = m.group(1), m.group(2)
    parts = [p.strip() for p in body.split(",")] if body.strip() else []
    if kind == "choice":
        if not parts or any(p == "" for p in parts):
            raise ValueError(t("tune.space.empty_choice", text=text))
        values = tuple(yaml.safe_load(p) for p in parts)
        if any(isinstance(v, (list, dict)) or v is None for v in values):
            raise ValueError(t("tune.space.bad_choice", text=text))
        if len(set(map(str, values))) != len(values):
            raise ValueError(t("tune.space.duplicate_choice", text=text))
        return Dist(path, kind, choices=values, group=path in groups)
    if len(parts) not in (2, 3) or (kind == "log" and len(parts) == 3):
        raise ValueError(t("tune.space.bad_bounds", text=text, kind=kind))
    nums = [_number(p, kind == "int") for p in parts]
    low, high = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else None
    if not low < high:
        raise ValueError(t("tune.space.low_high", text=text))
    if kind == "log" and not low > 0:
        raise ValueError(t("tune.space.log_positive", text=text))
    if step is not None and not step > 0:
        raise ValueError(t("tune.space.bad_step", text=text))
    return Dist(path, kind, low, high, step)


def check_path(d: Dist, base_cfg: Any) -> str | None:
    """Why the distribution's path does not fit the composed base config (None when it fits)."""
    from omegaconf import OmegaConf
    if d.path.split(".")[0] in NOT_TUNABLE:
        return t("tune.space.not_tunable", root=d.path.split(".")[0])
    if d.group:
        folder = conf_dir() / d.path
        missing = [str(c) for c in d.choices if not (folder / f"{c}.yaml").exists()]
        if missing:
            options = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
            return t("tune.space.no_option", options=", ".join(missing), available=options)
        return None
    missing = object()
    value = OmegaConf.select(base_cfg, d.path, default=missing, throw_on_missing=False)
    if value is missing:
        from engine.cli import suggest
        parent, _, leaf = d.path.rpartition(".")
        node = OmegaConf.select(base_cfg, parent, default=None) if parent else base_cfg
        keys = list(node.keys()) if hasattr(node, "keys") else []
        return t("tune.space.unknown_path", hint=suggest(leaf, keys))
    if OmegaConf.is_config(value):
        return t("tune.space.not_leaf")
    if d.kind != "choice" and value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return t("tune.space.not_numeric", value=value)
    return None


def load_space(name: str) -> tuple[Space, list[tuple[str, str]]]:
    """conf/tune/<name>.yaml parsed; every grammar or settings problem collected as (dotted path, message)."""
    folder = conf_dir() / "tune"
    file = folder / f"{name}.yaml"
    if not file.is_file():
        from engine.cli import suggest
        options = sorted(p.stem for p in folder.glob("*.yaml"))
        raise SpaceError([("tune", t("tune.space.missing", name=name, available=", ".join(options) or "-",
                                     hint=suggest(name, options)))])
    try:
        raw = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as e:
        raise SpaceError([("tune", t("tune.space.bad_yaml", file=file, detail=str(e).splitlines()[0]))]) from e
    if not isinstance(raw, dict):
        raise SpaceError([("tune", t("tune.space.bad_yaml", file=file, detail="not a mapping"))])
    raw["params"] = {str(k): v if isinstance(v, str) else str(v) for k, v in (raw.get("params") or {}).items()}
    try:
        settings = TuneSettings(**raw)
    except ValidationError as e:
        raise SpaceError([("tune." + ".".join(str(x) for x in err["loc"]), pydantic_text(err))
                          for err in e.errors(include_input=False)]) from e
    groups = {p.name for p in conf_dir().iterdir() if p.is_dir()}
    dists, problems = [], []
    for path, text in settings.params.items():
        try:
            dists.append(parse_dist(path, text, groups))
        except ValueError as e:
            problems.append((f"tune.params.{path}", str(e)))
    return Space(name, file, settings, dists), problems
