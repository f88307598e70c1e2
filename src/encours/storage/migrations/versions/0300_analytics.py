"""Analytics: a covering index that serves the aged balance in customer order.

The aged balance sums every entry per customer and currency. With this index SQLite reads
the needed columns in group order from the index alone (no sort, no table lookups), which
makes `encours aging` on a million open items several times faster.

Revision ID: 0300_analytics
Revises: 0002_audit
"""

from alembic import op

revision = "0300_analytics"
down_revision = "0002_audit"
branch_labels = None
depends_on = None

COLUMNS = ["customer_pk", "currency", "date", "due_date", "amount_cents"]


def upgrade() -> None:
    op.create_index("ix_entries_aging", "entries", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_entries_aging", table_name="entries")
