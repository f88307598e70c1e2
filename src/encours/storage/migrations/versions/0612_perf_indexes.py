"""Indexes for the boards paged in SQL and the worklist's stage column at 1M items.

Boards list open cases first, newest first, a page at a time: ``(status, id)`` lets each page be
an index scan instead of sorting every case. The worklist reads each page's dunning stage by
customer number: ``(customer_id, id)`` on the outbox instead of a scan of every action.

Revision ID: 0612_perf_indexes
Revises: 0611_job_files
"""

from alembic import op

revision = "0612_perf_indexes"
down_revision = "0611_job_files"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_disputes_status_id", "disputes", ["status", "id"]),
    ("ix_promises_status_id", "promises", ["status", "id"]),
    ("ix_payment_plans_status_id", "payment_plans", ["status", "id"]),
    ("ix_dunning_actions_customer_id", "dunning_actions", ["customer_id", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
