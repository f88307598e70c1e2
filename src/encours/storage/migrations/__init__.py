"""Alembic migrations: one branch per domain (versions/), run by encours.storage.database."""
