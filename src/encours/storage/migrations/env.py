"""Alembic environment: runs on the engine handed over by encours.storage.database.

Upgrades need no metadata. Whoever compares models with the database (autogenerate) hands
the whole schema over too, as ``alembic_config(engine, encours.schema.Base.metadata)``: the
composition root sits above every domain, so storage never imports it.
"""

from __future__ import annotations

from alembic import context

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=context.config.attributes.get("target_metadata"),
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
