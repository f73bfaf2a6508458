"""static universe: trade exactly the configured markets (the root `markets` list unless given here)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from registry import Params, register


@register("universe", "static")
class StaticUniverse:
    """A fixed list. `select(candidates, ...)` keeps the candidates in the list (the root `markets` when
    `markets` is null), in sorted order, so a replay with more data files still trades only these."""

    class Params(Params):
        markets: list[str] | None = Field(None, description="market codes; null = the root `markets` list")

        @field_validator("markets")
        @classmethod
        def _codes(cls, v):
            if v is not None:
                bad = [m for m in v if "-" not in m or m != m.upper()]
                if bad:
                    raise ValueError(f"market codes look like KRW-BTC; got {bad}")
            return v

    def __init__(self, p: "StaticUniverse.Params") -> None:
        self.p = p

    def select(self, candidates: list[str], root_markets: list[str] | None = None,
               streams: Mapping[str, Any] | None = None, ts_ms: int | None = None) -> list[str]:
        wanted = self.p.markets if self.p.markets is not None else (root_markets or candidates)
        have = set(candidates)
        return sorted(m for m in wanted if m in have)
