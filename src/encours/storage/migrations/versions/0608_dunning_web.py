"""Dunning in the browser: a run remembers the job that ran it, so the job's page lists its actions.

Revision ID: 0608_dunning_web
Revises: 0605_jobs (after the jobs table, on the web branch); needs 0100_collections (dunning_runs)
"""

import sqlalchemy as sa
from alembic import op

revision = "0608_dunning_web"
down_revision = "0605_jobs"
branch_labels = None
depends_on = "0100_collections"


def upgrade() -> None:
    with op.batch_alter_table("dunning_runs") as batch:
        batch.add_column(
            sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=True)
        )
        batch.create_index("ix_dunning_runs_job_id", ["job_id"])


def downgrade() -> None:
    with op.batch_alter_table("dunning_runs") as batch:
        batch.drop_index("ix_dunning_runs_job_id")
        batch.drop_column("job_id")
