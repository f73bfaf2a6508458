"""Revision 0006: decision_blocks — a backtest's decisions as column blocks (binary arrays, one row per batch)."""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    blob, js = sa.LargeBinary(), sa.JSON()
    op.create_table("decision_blocks", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
                    sa.Column("first_ts_ms", sa.BigInteger(), nullable=False),
                    sa.Column("last_ts_ms", sa.BigInteger(), nullable=False),
                    sa.Column("n_rows", sa.Integer(), nullable=False),
                    sa.Column("ts_ms", blob, nullable=False),                 # int64 little-endian
                    sa.Column("markets", js, nullable=False),                 # distinct names ...
                    sa.Column("market_idx", blob, nullable=False),            # ... and int32 codes per row
                    sa.Column("actions", js, nullable=False),
                    sa.Column("action_idx", blob, nullable=False),
                    sa.Column("score", blob, nullable=False),                 # float64, NaN = None
                    sa.Column("feature_names", js, nullable=True),            # k names of the n x k float64 matrix
                    sa.Column("features", blob, nullable=True),
                    sa.Column("features_json", js, nullable=True),            # else one dict per row
                    sa.Column("score_names", js, nullable=True),              # tower names of the score matrix
                    sa.Column("scores", blob, nullable=True),
                    sa.Column("scores_json", js, nullable=True),              # else one dict per row
                    sa.Column("reasons", js, nullable=False),                 # distinct reason lists ...
                    sa.Column("reason_idx", blob, nullable=False))            # ... and int32 codes per row
    op.create_index("ix_decision_blocks_run_ts", "decision_blocks", ["run_id", "first_ts_ms"])


def downgrade() -> None:
    op.drop_index("ix_decision_blocks_run_ts", "decision_blocks")
    op.drop_table("decision_blocks")
