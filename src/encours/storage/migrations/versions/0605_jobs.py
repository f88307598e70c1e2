"""Jobs: the job rows every backend shares, and procrastinate's queue on PostgreSQL.

On PostgreSQL the schema of the pinned procrastinate (its tables, functions and triggers)
is applied here, so workers on any machine find the queue made by the first migration.

Revision ID: 0605_jobs
Revises: 0606_workspace
"""

import sqlalchemy as sa
from alembic import op

revision = "0605_jobs"
down_revision = "0606_workspace"
branch_labels = None
depends_on = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
    op.create_table(
        "jobs",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(255)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", _ts(), nullable=False),
        sa.Column("started_at", _ts()),
        sa.Column("finished_at", _ts()),
        sa.Column("heartbeat_at", _ts()),
        sa.Column("worker", sa.String(255)),
        sa.Column("error", sa.Text()),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer()),
        sa.Column("progress_note", sa.String(255), nullable=False),
        sa.Column("result", sa.JSON()),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.Column("dedupe_key", sa.String(255)),
        sa.Column("parent_id", big_id, sa.ForeignKey("jobs.id", name="fk_jobs_parent_id_jobs")),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("dedupe_key", name="uq_jobs_dedupe_key"),
    )
    op.create_index("ix_jobs_status_kind", "jobs", ["status", "kind"])
    op.create_index("ix_jobs_parent_id", "jobs", ["parent_id"])
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        bind = op.get_bind()
        if bind.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            raw = bind.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()  # no parameters: the SQL (with its % signs) goes as it is
            try:
                cursor.execute(SchemaManager.get_schema())
            finally:
                cursor.close()


def downgrade() -> None:
    op.drop_index("ix_jobs_parent_id", table_name="jobs")
    op.drop_index("ix_jobs_status_kind", table_name="jobs")
    op.drop_table("jobs")
