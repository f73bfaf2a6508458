"""Exchange-server settings: bind address, key pairs and balances, market-data source, rate limits, faults."""
from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from components.types.upbit.market_state import CautionKey

# Documented development key pair, used only when no account is configured and the env has none.
DEV_ACCESS_KEY = "scalp-local-access"
DEV_SECRET_KEY = "scalp-local-secret-key-for-tests-only-0001"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class AccountConfig(_Strict):
    """One API key pair and its starting balances (currency -> amount)."""
    access_key: str
    secret_key: SecretStr
    balances: dict[str, float] = Field(default_factory=lambda: {"KRW": 10_000_000.0})


class SourceConfig(_Strict):
    """Where market data comes from: capture files, a recorded store, or candles expanded into trades."""
    kind: str = Field("capture", pattern="^(capture|store|candles)$")
    path: str = Field("", description="capture file/dir, candles dir (candles_1m/<MARKET>.csv.gz) or store path")
    markets: list[str] = Field(default_factory=list, description="subset; empty = all in the source")
    speed: float = Field(1.0, gt=0, description="replay speed factor (10 = ten times real time)")
    loop: bool = Field(True, description="start again (timestamps and sequential_ids shifted) when data ends")
    max_gap_s: float = Field(10.0, gt=0, description="quiet spans longer than this replay as this long")
    max_candles: int = Field(2000, ge=1, description="candles source: last N candles per market")
    history_trades: int = Field(20_000, ge=1, description="trades per market kept for REST history (candles, "
                                "/v1/trades/ticks); older ones are forgotten")
    prefill_s: float = Field(0.0, ge=0, description="data seconds at the start applied at once, not in time "
                             "(REST history such as candles for a client's warm-up before the live stream)")


class FaultConfig(_Strict):
    """Fault injection for reliability tests (all off by default)."""
    latency_ms: int = Field(0, ge=0, description="added to every REST reply")
    ws_drop_every_s: float = Field(0.0, ge=0, description="close every WebSocket after N s (0 = never)")
    error_5xx_rate: float = Field(0.0, ge=0, le=1, description="fraction of REST calls answered 500")
    malformed_frame_rate: float = Field(0.0, ge=0, le=1, description="fraction of WS frames sent truncated")
    storm_429_rate: float = Field(0.0, ge=0, le=1, description="fraction of REST calls answered 429")
    history_malformed_rate: float = Field(0.0, ge=0, le=1, description="fraction of candle/trade history replies "
                                          "answered 200 with a truncated body")
    # Order-call faults: the create IS processed (the order exists), only its answer goes wrong.
    create_malformed_rate: float = Field(0.0, ge=0, le=1, description="creates answered 2xx with a broken body")
    create_drop_rate: float = Field(0.0, ge=0, le=1, description="creates whose connection drops mid-answer")
    create_hang_rate: float = Field(0.0, ge=0, le=1, description="creates answered only after create_hang_ms")
    create_hang_ms: int = Field(0, ge=0, description="how late a hanging create is answered")
    poll_418_after_create_rate: float = Field(0.0, ge=0, le=1, description="after a create, the account's next "
                                              "GET /v1/order is answered 418")
    poll_418_block_s: float = Field(1.0, gt=0, description="Retry-After of that 418")
    book_size_scale: float = Field(1.0, gt=0, le=1, description="every replayed book level's size times this "
                                   "(a thin book: market orders walk it, capped orders leave a remainder)")
    date_skew_s: float = Field(0.0, ge=-86_400, le=86_400, description="every REST reply's Date header is this "
                               "far from the server's clock (clients tracking the exchange clock see the offset)")
    seed: int = 0


class ServerConfig(_Strict):
    """`scalp exchange-server` settings (key=value overrides on the command line)."""
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535, description="0 = pick a free port")
    accounts: list[AccountConfig] = Field(default_factory=list)
    source: SourceConfig = Field(default_factory=SourceConfig)
    fill_model: dict = Field(default_factory=lambda: {"component": "queue_conservative", "order_latency_ms": 0})
    exchange: dict = Field(default_factory=lambda: {"component": "sim"})
    rate_limits: dict[str, list[float]] = Field(default_factory=dict,
                                                description="group -> [requests, window_s] overrides")
    block_after_429s: int = Field(10, ge=1, description="429s within 10 s before a client gets 418")
    block_s: float = Field(30.0, gt=0, description="length of a 418 block")
    ws_idle_timeout_s: float = Field(120.0, gt=0)
    faults: FaultConfig = Field(default_factory=FaultConfig)
    market_warnings: list[str] = Field(default_factory=list, description="markets flagged 투자유의 "
                                       "(market/all?is_details=true market_event.warning); tests may add more live")
    market_cautions: dict[str, list[CautionKey]] = Field(default_factory=dict, description="market -> the "
                                                         "market_event.caution kinds set for it (주의종목)")
    suspended_markets: list[str] = Field(default_factory=list, description="markets whose order creates are "
                                         "refused market_offline (trading suspended); their tickers say "
                                         "is_trading_suspended=true")
    delisted_markets: list[str] = Field(default_factory=list, description="markets whose tickers say market_state "
                                        "DELISTED with a delisting_date; order creates refused market_offline")

    @model_validator(mode="after")
    def _local_only(self) -> "ServerConfig":
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("host: the exchange server binds to 127.0.0.1 only (it holds test keys)")
        return self

    def key_pairs(self) -> list[AccountConfig]:
        """Configured accounts, else one from SCALP_SERVER_ACCESS_KEY/SECRET_KEY, else the documented dev pair."""
        if self.accounts:
            return list(self.accounts)
        # Deliberately not UPBIT_*: real exchange keys must never become a local server's test keys.
        access = os.environ.get("SCALP_SERVER_ACCESS_KEY")
        secret = os.environ.get("SCALP_SERVER_SECRET_KEY")
        krw = float(os.environ.get("SCALP_SERVER_KRW", "10000000"))
        if access and secret:
            return [AccountConfig(access_key=access, secret_key=SecretStr(secret), balances={"KRW": krw})]
        return [AccountConfig(access_key=DEV_ACCESS_KEY, secret_key=SecretStr(DEV_SECRET_KEY), balances={"KRW": krw})]
