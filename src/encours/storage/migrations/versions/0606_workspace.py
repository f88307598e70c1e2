"""The collector's workspace: notifications (with an e-mail preference per user), saved
worklist views, a dispute's category, and the indexes the filtered worklist and the task
queue read by.

Revision ID: 0606_workspace
Revises: 0601_bank_journal
"""

import sqlalchemy as sa
from alembic import op

revision = "0606_workspace"
down_revision = "0601_bank_journal"
branch_labels = None
depends_on = ("0200_casework", "0003_customer_contacts")  # disputes, tasks, assignments; customers


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("email_wanted", sa.Boolean, nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at", "id"])
    op.create_index("ix_notifications_email", "notifications", ["email_wanted", "emailed_at"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("email", sa.Boolean, nullable=False),
    )
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),
    )
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("category", sa.String(32)))
    op.create_index("ix_customer_assignments_assignee", "customer_assignments", ["role", "assignee"])
    op.create_index("ix_tasks_assignee_status_due", "tasks", ["assignee", "status", "due_date"])
    op.create_index("ix_customers_segment", "customers", ["segment"])


def downgrade() -> None:
    op.drop_index("ix_customers_segment", table_name="customers")
    op.drop_index("ix_tasks_assignee_status_due", table_name="tasks")
    op.drop_index("ix_customer_assignments_assignee", table_name="customer_assignments")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("category")
    op.drop_table("saved_views")
    op.drop_table("notification_preferences")
    op.drop_index("ix_notifications_email", table_name="notifications")
    op.drop_index("ix_notifications_user_read", table_name="notifications")
    op.drop_table("notifications")
