"""SQLModel tables of the store: market data (candles, trades, books) and trading records (runs ... equity)."""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

# Market-data tables: primary keys include ts_ms because PostgreSQL partitions them by RANGE (ts_ms),
# and a partitioned table's unique keys must contain the partition key.
MARKET_TABLES = ("candles", "trades", "books")


def _ms(**kw: Any) -> Any:
    return Field(sa_column_kwargs=kw, sa_type=BigInteger)


class CandleRow(SQLModel, table=True):
    """One OHLCV bar; ts_ms = open time (UTC ms)."""
    __tablename__ = "candles"
    market: str = Field(primary_key=True)
    interval_s: int = Field(primary_key=True)
    ts_ms: int = Field(primary_key=True, sa_type=BigInteger)
    open: float
    high: float
    low: float
    close: float
    volume: float
    value_krw: Optional[float] = None


class TradeRow(SQLModel, table=True):
    """One print: side +1 BID (buyer-initiated) / -1 ASK, seq = Upbit sequential_id."""
    __tablename__ = "trades"
    market: str = Field(primary_key=True)
    ts_ms: int = Field(primary_key=True, sa_type=BigInteger)
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    price: float
    volume: float
    side: int


class BookRow(SQLModel, table=True):
    """A full book snapshot; levels as JSON arrays (level 0 = best); k orders equal stamps of one market."""
    __tablename__ = "books"
    market: str = Field(primary_key=True)
    ts_ms: int = Field(primary_key=True, sa_type=BigInteger)
    k: int = Field(default=0, primary_key=True)
    bid_px: list = Field(sa_column=Column(JSON, nullable=False))
    bid_sz: list = Field(sa_column=Column(JSON, nullable=False))
    ask_px: list = Field(sa_column=Column(JSON, nullable=False))
    ask_sz: list = Field(sa_column=Column(JSON, nullable=False))


class RunRow(SQLModel, table=True):
    """One engine run with its resolved config (secrets redacted)."""
    __tablename__ = "runs"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    mode: str = "backtest"
    started_ms: int = Field(sa_type=BigInteger)
    finished_ms: Optional[int] = Field(default=None, sa_type=BigInteger)   # revision 0002
    status: str = "running"                                                # revision 0002
    config: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DecisionRow(SQLModel, table=True):
    """A decision with the features, scores and reasons that produced it."""
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_run_ts", "run_id", "ts_ms"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id")
    ts_ms: int = Field(sa_type=BigInteger)
    market: str
    action: str
    score: Optional[float] = None
    features: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scores: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reasons: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class OrderRow(SQLModel, table=True):
    """An order as sent/updated (Upbit terms: side bid/ask, ord_type limit/price/market/best)."""
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_run_ts", "run_id", "ts_ms"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id")
    ts_ms: int = Field(sa_type=BigInteger)
    market: str
    side: str
    ord_type: str
    price: Optional[float] = None
    volume: Optional[float] = None
    state: str = "wait"
    identifier: Optional[str] = None
    uuid: Optional[str] = None
    reason: str = ""
    extra: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FillRow(SQLModel, table=True):
    """One execution of an order; fee in KRW."""
    __tablename__ = "fills"
    __table_args__ = (Index("ix_fills_run_ts", "run_id", "ts_ms"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id")
    ts_ms: int = Field(sa_type=BigInteger)
    market: str
    order_uuid: str
    side: str
    price: float
    volume: float
    fee_krw: float
    maker: bool = False


class PositionRow(SQLModel, table=True):
    """A position snapshot of one market."""
    __tablename__ = "positions"
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id", index=True)
    ts_ms: int = Field(sa_type=BigInteger)
    market: str
    volume: float
    cost_krw: float = 0.0
    realized_krw: float = 0.0
    fees_krw: float = 0.0
    extra: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EquityRow(SQLModel, table=True):
    """Account equity over time."""
    __tablename__ = "equity"
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id", index=True)
    ts_ms: int = Field(sa_type=BigInteger)
    equity_krw: float
    cash_krw: float = 0.0
    position_krw: float = 0.0


class TripRow(SQLModel, table=True):
    """A kill-switch trip (revision 0002); active until cleared or until_ms passes: survives restarts."""
    __tablename__ = "trips"
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: Optional[int] = Field(default=None, foreign_key="runs.id")
    ts_ms: int = Field(sa_type=BigInteger, index=True)
    switch: str
    action: str
    reason: str = ""
    until_ms: Optional[int] = Field(default=None, sa_type=BigInteger)
    cleared_ms: Optional[int] = Field(default=None, sa_type=BigInteger)


class ArtifactRow(SQLModel, table=True):
    """A saved model artifact with its signature (revision 0002)."""
    __tablename__ = "artifacts"
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: Optional[int] = Field(default=None, foreign_key="runs.id")
    name: str = Field(index=True)
    kind: str = ""
    created_ms: int = Field(sa_type=BigInteger)
    signature: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    path: Optional[str] = None
    payload: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class TrialRow(SQLModel, table=True):
    """One backtest / walk-forward / tuning run as a trial of the deflated Sharpe (revision 0003)."""
    __tablename__ = "trials"
    __table_args__ = (Index("ix_trials_span", "span_start_ms", "span_end_ms"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: Optional[int] = Field(default=None, foreign_key="runs.id")
    created_ms: int = Field(sa_type=BigInteger)
    kind: str
    config_hash: str
    span_start_ms: int = Field(sa_type=BigInteger)
    span_end_ms: int = Field(sa_type=BigInteger)
    period_ms: int = Field(sa_type=BigInteger)
    n_obs: int
    trades: int
    sharpe: Optional[float] = None
    skew: Optional[float] = None
    kurtosis: Optional[float] = None
    returns: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class OrderEventRow(SQLModel, table=True):
    """One state change of a paper/live order (revision 0004): sent, unknown, resolved, wait, done, cancel,
    rejected — the audit trail; backtests write none."""
    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_run_ts", "run_id", "ts_ms"),
                      Index("ix_order_events_identifier", "identifier"))
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id")
    ts_ms: int = Field(sa_type=BigInteger)
    wall_ms: int = Field(sa_type=BigInteger)
    event: str
    identifier: Optional[str] = None
    uuid: Optional[str] = None
    market: str
    side: str
    purpose: str = ""
    state: str = ""
    reason: str = ""
    extra: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ModelRow(SQLModel, table=True):
    """One saved model of the registry (revision 0005): scalp retrain adds them, scalp models promotes and
    rolls back; status deployed | candidate | retired."""
    __tablename__ = "models"
    __table_args__ = (Index("ix_models_class_signature", "market_class", "signature", "status"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    path: str
    artifact: str
    signature: str
    market_class: str
    towers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    metrics: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str
    created_ms: int = Field(sa_type=BigInteger)
    promoted_ms: Optional[int] = Field(default=None, sa_type=BigInteger)
    note: str = Field(default="", sa_column_kwargs={"server_default": ""})


class DecisionBlockRow(SQLModel, table=True):
    """A batch of a backtest's decisions stored as columns (revision 0006; codec in components/store/blocks.py):
    little-endian int64/int32/float64 arrays and dictionary-encoded strings, read back as decision rows."""
    __tablename__ = "decision_blocks"
    __table_args__ = (Index("ix_decision_blocks_run_ts", "run_id", "first_ts_ms"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id")
    first_ts_ms: int = Field(sa_type=BigInteger)
    last_ts_ms: int = Field(sa_type=BigInteger)
    n_rows: int
    ts_ms: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    markets: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    market_idx: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    actions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    action_idx: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    score: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    feature_names: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))
    features: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    features_json: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))
    score_names: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))
    scores: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    scores_json: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))
    reasons: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason_idx: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
