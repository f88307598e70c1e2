"""Web: whole-ledger figures shared by the server's worker processes.

Revision ID: 0501_figure_snapshots
Revises: 0500_web
"""

import sqlalchemy as sa
from alembic import op

revision = "0501_figure_snapshots"
down_revision = "0500_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "figure_snapshots",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_figure_snapshots")),
    )
    op.create_index("ix_figure_snapshots_computed_at", "figure_snapshots", ["computed_at"], unique=False)


def downgrade() -> None:
    op.drop_table("figure_snapshots")
