"""Alembic environment: always run programmatically by components.store (connection or offline buffer in attributes)."""
from alembic import context

from components.store.models import SQLModel

config = context.config
if context.is_offline_mode():
    # SQL script generation (migration_sql): no server needed, e.g. to review the PostgreSQL/TimescaleDB DDL.
    context.configure(dialect_name=config.attributes["dialect"], output_buffer=config.attributes["buffer"],
                      target_metadata=SQLModel.metadata, literal_binds=True)
else:
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
