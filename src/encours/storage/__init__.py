"""Storage adapter: SQLAlchemy models, migrations, unit of work and repositories."""
