"""Revision 0005: models — the model registry of scalp retrain / scalp models (one row per saved model)."""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("models", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("path", sa.String(), nullable=False),             # folder with the model's files
                    sa.Column("artifact", sa.String(), nullable=False),         # artifacts.name of its record
                    sa.Column("signature", sa.String(), nullable=False),        # config signature (what it fits)
                    sa.Column("market_class", sa.String(), nullable=False),
                    sa.Column("towers", sa.JSON(), nullable=False),             # tower id -> saved model folder
                    sa.Column("metrics", sa.JSON(), nullable=False),
                    sa.Column("status", sa.String(), nullable=False),           # deployed | candidate | retired
                    sa.Column("created_ms", sa.BigInteger(), nullable=False),
                    sa.Column("promoted_ms", sa.BigInteger(), nullable=True),
                    sa.Column("note", sa.String(), nullable=False, server_default=""))
    op.create_index("ix_models_class_signature", "models", ["market_class", "signature", "status"])


def downgrade() -> None:
    op.drop_index("ix_models_class_signature", "models")
    op.drop_table("models")
