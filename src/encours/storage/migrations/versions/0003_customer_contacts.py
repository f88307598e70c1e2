"""Customers' postal address, phone and IBANs (SPEC §2), for addressed letters and cash application.

Revision ID: 0003_customer_contacts
Revises: 0002_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_customer_contacts"
down_revision = "0002_audit"
branch_labels = None
depends_on = None

COLUMNS = (
    ("address_line1", 255),
    ("address_line2", 255),
    ("postal_code", 16),
    ("city", 128),
    ("phone", 64),
    ("iban", 512),
)


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
