"""Revision 0002: kill-switch trips (persisted state), model artifacts, run status/finish time."""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("finished_ms", sa.BigInteger(), nullable=True))
        # Runs made under 0001 never recorded a status: they count as finished ("done").
        batch.add_column(sa.Column("status", sa.String(), nullable=False, server_default="done"))
    op.create_table("trips", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=True),
                    sa.Column("ts_ms", sa.BigInteger(), nullable=False),
                    sa.Column("switch", sa.String(), nullable=False), sa.Column("action", sa.String(), nullable=False),
                    sa.Column("reason", sa.String(), nullable=False),
                    sa.Column("until_ms", sa.BigInteger(), nullable=True),
                    sa.Column("cleared_ms", sa.BigInteger(), nullable=True))
    op.create_index("ix_trips_ts_ms", "trips", ["ts_ms"])
    op.create_table("artifacts", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=True),
                    sa.Column("name", sa.String(), nullable=False), sa.Column("kind", sa.String(), nullable=False),
                    sa.Column("created_ms", sa.BigInteger(), nullable=False),
                    sa.Column("signature", sa.JSON(), nullable=False), sa.Column("path", sa.String(), nullable=True),
                    sa.Column("payload", sa.LargeBinary(), nullable=True))
    op.create_index("ix_artifacts_name", "artifacts", ["name"])


def downgrade() -> None:
    op.drop_table("artifacts")
    op.drop_table("trips")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("status")
        batch.drop_column("finished_ms")
