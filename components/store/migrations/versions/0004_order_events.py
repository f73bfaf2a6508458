"""Revision 0004: order_events — the audit trail of live and paper orders (one row per state change)."""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("order_events", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
                    sa.Column("ts_ms", sa.BigInteger(), nullable=False),
                    sa.Column("wall_ms", sa.BigInteger(), nullable=False),
                    sa.Column("event", sa.String(), nullable=False),
                    sa.Column("identifier", sa.String(), nullable=True),
                    sa.Column("uuid", sa.String(), nullable=True),
                    sa.Column("market", sa.String(), nullable=False),
                    sa.Column("side", sa.String(), nullable=False),
                    sa.Column("purpose", sa.String(), nullable=False),
                    sa.Column("state", sa.String(), nullable=False),
                    sa.Column("reason", sa.String(), nullable=False),
                    sa.Column("extra", sa.JSON(), nullable=False))
    op.create_index("ix_order_events_run_ts", "order_events", ["run_id", "ts_ms"])
    op.create_index("ix_order_events_identifier", "order_events", ["identifier"])


def downgrade() -> None:
    op.drop_index("ix_order_events_identifier", "order_events")
    op.drop_index("ix_order_events_run_ts", "order_events")
    op.drop_table("order_events")
