"""`download:` settings of `scalp data download` (a node of the root settings, engine/settings.py)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from components.types.feed.paths import checked_time, to_ms
from engine.download.units import UNITS


class DownloadSettings(BaseModel):
    """Which Upbit history to fetch, from which host, and where the files go."""
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, allow_inf_nan=False)

    start: str | int | None = Field(None, description="first time, ISO (UTC unless it has an offset) or epoch ms; "
                                                      "required by scalp data download")
    end: str | int | None = Field(None, description="end (exclusive); null = now")
    units: list[str] = Field(default_factory=lambda: ["minutes1"], min_length=1,
                             description="seconds, minutes1|3|5|10|15|30|60|240, days, trades")
    out: str = Field("outputs/data/upbit", description="folder laid out like shared/data/upbit")
    base_url: str = Field("https://api.upbit.com", description="REST host (a local exchange-server for tests)")
    timeout_ms: int = Field(10_000, ge=100, description="per-request timeout")
    max_pages: int = Field(0, ge=0, description="stop after this many pages (0 = no limit); a re-run continues")
    store: bool = Field(False, description="also insert the downloaded rows into the store (rows it has are skipped)")
    progress: bool = Field(True, description="progress bar on stderr")

    @field_validator("start", "end")
    @classmethod
    def _time(cls, v):
        return checked_time(v)

    @field_validator("end")
    @classmethod
    def _after_start(cls, v, info: ValidationInfo):
        start = info.data.get("start")
        if v is not None and start is not None and to_ms(v) <= to_ms(start):
            raise ValueError("must be after download.start")
        return v

    @field_validator("units")
    @classmethod
    def _units(cls, v: list[str]) -> list[str]:
        bad = [u for u in v if u not in UNITS]
        if bad:
            raise ValueError(f"unknown units {bad}; known: {', '.join(UNITS)}")
        return v
