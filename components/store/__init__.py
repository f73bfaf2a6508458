"""Stores: SQLModel schema on SQLite (embedded default) or PostgreSQL, Alembic migrations in migrations/."""
