"""Revision 0001: market data (candles, trades, books) and runs, decisions, orders, fills, positions, equity."""
import sqlalchemy as sa
from alembic import context, op

from components.store import partitions

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MS = sa.BigInteger()


def _market_tables() -> list[tuple[str, list, list[str]]]:
    return [
        ("candles", [sa.Column("market", sa.String(), nullable=False),
                     sa.Column("interval_s", sa.Integer(), nullable=False),
                     sa.Column("ts_ms", MS, nullable=False),
                     *[sa.Column(c, sa.Float(), nullable=False) for c in ("open", "high", "low", "close", "volume")],
                     sa.Column("value_krw", sa.Float(), nullable=True)], ["market", "interval_s", "ts_ms"]),
        ("trades", [sa.Column("market", sa.String(), nullable=False), sa.Column("ts_ms", MS, nullable=False),
                    sa.Column("seq", MS, nullable=False), sa.Column("price", sa.Float(), nullable=False),
                    sa.Column("volume", sa.Float(), nullable=False), sa.Column("side", sa.Integer(), nullable=False)],
         ["market", "ts_ms", "seq"]),
        ("books", [sa.Column("market", sa.String(), nullable=False), sa.Column("ts_ms", MS, nullable=False),
                   sa.Column("k", sa.Integer(), nullable=False),
                   *[sa.Column(c, sa.JSON(), nullable=False) for c in ("bid_px", "bid_sz", "ask_px", "ask_sz")]],
         ["market", "ts_ms", "k"]),
    ]


def _run_fk() -> sa.Column:
    return sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False)


def upgrade() -> None:
    mode = context.config.attributes.get("timescale", "auto")
    if context.is_offline_mode():
        layout = partitions.offline_layout(context.get_context().dialect.name, mode)
    else:
        layout = partitions.choose_layout(op.get_bind(), mode)
    for name, cols, pk in _market_tables():
        kw = {"postgresql_partition_by": "RANGE (ts_ms)"} if layout == "partitioned" else {}
        op.create_table(name, *cols, sa.PrimaryKeyConstraint(*pk), **kw)
        if layout == "hypertable":
            op.execute(partitions.hypertable_sql(name))
    op.create_table("runs", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("name", sa.String(), nullable=False), sa.Column("mode", sa.String(), nullable=False),
                    sa.Column("started_ms", MS, nullable=False), sa.Column("config", sa.JSON(), nullable=False))
    op.create_table("decisions", sa.Column("id", sa.Integer(), primary_key=True), _run_fk(),
                    sa.Column("ts_ms", MS, nullable=False), sa.Column("market", sa.String(), nullable=False),
                    sa.Column("action", sa.String(), nullable=False), sa.Column("score", sa.Float()),
                    *[sa.Column(c, sa.JSON(), nullable=False) for c in ("features", "scores", "reasons")])
    op.create_index("ix_decisions_run_ts", "decisions", ["run_id", "ts_ms"])
    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), _run_fk(),
                    sa.Column("ts_ms", MS, nullable=False), sa.Column("market", sa.String(), nullable=False),
                    sa.Column("side", sa.String(), nullable=False), sa.Column("ord_type", sa.String(), nullable=False),
                    sa.Column("price", sa.Float()), sa.Column("volume", sa.Float()),
                    sa.Column("state", sa.String(), nullable=False), sa.Column("identifier", sa.String()),
                    sa.Column("uuid", sa.String()), sa.Column("reason", sa.String(), nullable=False),
                    sa.Column("extra", sa.JSON(), nullable=False))
    op.create_index("ix_orders_run_ts", "orders", ["run_id", "ts_ms"])
    op.create_table("fills", sa.Column("id", sa.Integer(), primary_key=True), _run_fk(),
                    sa.Column("ts_ms", MS, nullable=False), sa.Column("market", sa.String(), nullable=False),
                    sa.Column("order_uuid", sa.String(), nullable=False), sa.Column("side", sa.String(), nullable=False),
                    *[sa.Column(c, sa.Float(), nullable=False) for c in ("price", "volume", "fee_krw")],
                    sa.Column("maker", sa.Boolean(), nullable=False))
    op.create_index("ix_fills_run_ts", "fills", ["run_id", "ts_ms"])
    op.create_table("positions", sa.Column("id", sa.Integer(), primary_key=True), _run_fk(),
                    sa.Column("ts_ms", MS, nullable=False), sa.Column("market", sa.String(), nullable=False),
                    *[sa.Column(c, sa.Float(), nullable=False)
                      for c in ("volume", "cost_krw", "realized_krw", "fees_krw")],
                    sa.Column("extra", sa.JSON(), nullable=False))
    op.create_index("ix_positions_run_id", "positions", ["run_id"])
    op.create_table("equity", sa.Column("id", sa.Integer(), primary_key=True), _run_fk(),
                    sa.Column("ts_ms", MS, nullable=False),
                    *[sa.Column(c, sa.Float(), nullable=False) for c in ("equity_krw", "cash_krw", "position_krw")])
    op.create_index("ix_equity_run_id", "equity", ["run_id"])


def downgrade() -> None:
    for name in ("equity", "positions", "fills", "orders", "decisions", "runs", "books", "trades", "candles"):
        op.drop_table(name)
