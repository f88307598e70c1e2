"""Files a job reads (uploads from the browser), kept in the database so that a worker on
another host than the web process reads them; deleted when their job finishes.

Revision ID: 0611_job_files
Revises: 0610_cash_reasons
"""

import sqlalchemy as sa
from alembic import op

revision = "0611_job_files"
down_revision = "0610_cash_reasons"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
    op.create_table(
        "job_files",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "job_id",
            big_id,
            sa.ForeignKey("jobs.id", name="fk_job_files_job_id_jobs", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_job_files"),
    )
    op.create_index("ix_job_files_job_id", "job_files", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_job_files_job_id", table_name="job_files")
    op.drop_table("job_files")
