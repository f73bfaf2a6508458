"""Hot reload: compose an override onto the running config, validate it, and apply it to the live components."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from engine.control.safe import flatten, get_path, has_parent, is_safe, set_path

_NONE = object()


@dataclass
class Outcome:
    """A reload's verdict: accepted with its changes {path: (old, new)}, or refused with its problems."""
    accepted: bool
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


def validate_candidate(candidate: dict) -> list[tuple[str, str]]:
    """The project's validation (engine/validate.py: strict settings models, registry Params, link checks, and
    the live rules in live mode) of a whole candidate config."""
    from omegaconf import OmegaConf

    from engine.validate import validate_config
    return validate_config(OmegaConf.create(candidate))


class Reloader:
    """Holds the session's start config and the current one. An override file is declarative: its entries
    sit on top of the START config, so a line removed from the file returns that value to its start value."""

    def __init__(self, base: dict) -> None:
        self.base = copy.deepcopy(base)
        self.current = copy.deepcopy(base)
        self._known: set | None = None     # problems the start config already had: not the override's doing

    def new_problems(self, candidate: dict) -> list[tuple[str, str]]:
        """The candidate's validation problems that the start config did not have (a paper session may run
        with warnings such as an untrained tower; a reload must not be refused for those)."""
        if self._known is None:
            self._known = set(validate_candidate(self.base))
        return [p for p in validate_candidate(candidate) if p not in self._known]

    def propose(self, overrides: dict[str, Any]) -> tuple[Outcome, dict]:
        """(outcome, candidate config). Refused as a whole when any path is unknown, outside the safe subset
        (engine/control/safe.py) or its value fails validation; nothing is applied here."""
        from engine.i18n import t
        from engine.control.safe import SAFE_PATHS
        flat = flatten(overrides or {})
        problems: list[tuple[str, str]] = []
        candidate = copy.deepcopy(self.base)
        for path, value in flat.items():
            if not has_parent(self.base, path):
                problems.append((path, t("control.unknown_path")))
            elif not is_safe(path):
                problems.append((path, t("control.not_reloadable", safe=", ".join(SAFE_PATHS))))
            else:
                set_path(candidate, path, value)
        if not problems:
            problems = self.new_problems(candidate)
        if problems:
            return Outcome(False, problems=problems), candidate
        changes = {}
        for path in sorted(set(flat) | set(self._overridden())):
            old, new = get_path(self.current, path, None), get_path(candidate, path, None)
            if old != new:
                changes[path] = (old, new)
        return Outcome(True, changes=changes), candidate

    def _overridden(self) -> list[str]:
        """Safe leaves where the current config differs from the start (a line since removed from the file)."""
        out = []
        for path, value in flatten(self.current).items():
            if is_safe(path) and get_path(self.base, path, _NONE) != value:
                out.append(path)
        return out

    def commit(self, candidate: dict) -> None:
        self.current = candidate


def apply(loop: Any, candidate: dict, changes: dict[str, tuple[Any, Any]]) -> None:
    """Patch the running components between two events: each changed kill switch's, the sizing's and the entry
    rule's Params (their state stays: trips in force, Kelly history, fitted entry maps), and the risk
    manager's limits. Called on the engine thread only."""
    from engine.settings import Limits
    rm = loop.risk
    tops = {p.split(".")[0] for p in changes}
    switches = {p.split(".")[1] for p in changes if p.startswith("killswitches.")}
    for sid in switches:
        sw = rm.switches[sid]
        sw.p = _params(sw.p, candidate["killswitches"][sid])
    if switches:
        rm.replan()                      # the next evaluate re-plans and drops the kept verdicts
    if "sizing" in tops:
        rm.sizing.p = _params(rm.sizing.p, candidate["sizing"])
    if "entry" in tops and loop.entry is not None:
        loop.entry.p = _params(loop.entry.p, candidate["entry"])
    if "limits" in tops:
        lim = Limits(**candidate["limits"])
        rm.limits, rm.cooldown_ms = lim, lim.cooldown_ms
        rm.max_open_positions, rm.max_market_share = lim.max_open_positions, lim.max_market_share
        if hasattr(loop, "settings"):
            loop.settings = loop.settings.model_copy(update={"limits": lim})


def _params(old: Any, node: dict) -> Any:
    """The component's Params with the candidate node's values (validated again by its own model)."""
    data = {k: v for k, v in node.items() if k != "component"}
    return type(old).model_validate({**old.model_dump(), **data})
