"""Revision 0003: trials — every backtest, walk-forward and tuning run's per-period returns (deflated Sharpe's N)."""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("trials", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=True),
                    sa.Column("created_ms", sa.BigInteger(), nullable=False),
                    sa.Column("kind", sa.String(), nullable=False),
                    sa.Column("config_hash", sa.String(), nullable=False),
                    sa.Column("span_start_ms", sa.BigInteger(), nullable=False),
                    sa.Column("span_end_ms", sa.BigInteger(), nullable=False),
                    sa.Column("period_ms", sa.BigInteger(), nullable=False),
                    sa.Column("n_obs", sa.Integer(), nullable=False),
                    sa.Column("trades", sa.Integer(), nullable=False),
                    sa.Column("sharpe", sa.Float(), nullable=True),
                    sa.Column("skew", sa.Float(), nullable=True),
                    sa.Column("kurtosis", sa.Float(), nullable=True),
                    sa.Column("returns", sa.JSON(), nullable=False))
    op.create_index("ix_trials_span", "trials", ["span_start_ms", "span_end_ms"])


def downgrade() -> None:
    op.drop_index("ix_trials_span", "trials")
    op.drop_table("trials")
