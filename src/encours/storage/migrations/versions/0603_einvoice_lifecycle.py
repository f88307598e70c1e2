"""E-invoicing lifecycle (SPEC §11): CDAR statuses received, invoices out of dunning because of
them, and the 212 Encaissée messages written.

Revision ID: 0603_einvoice_lifecycle
Revises: 0502_session_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0603_einvoice_lifecycle"
down_revision = "0502_session_security"
branch_labels = None
depends_on = None

ENTRY_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _entry_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["entries.id"], name=f"fk_{table}_{column}_entries")


def upgrade() -> None:
    op.create_table(
        "einvoice_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", ENTRY_ID, nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("file_name", sa.String(length=1024), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        _entry_fk("einvoice_statuses", "entry_id"),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name="fk_einvoice_statuses_customer_pk_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_einvoice_statuses"),
        sa.UniqueConstraint("entry_id", "code", "status_at", name="uq_einvoice_statuses_status"),
    )
    op.create_index("ix_einvoice_statuses_customer_pk", "einvoice_statuses", ["customer_pk"])
    op.create_table(
        "einvoice_standings",
        sa.Column("entry_id", ENTRY_ID, nullable=False),
        sa.Column("standing", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        _entry_fk("einvoice_standings", "entry_id"),
        sa.PrimaryKeyConstraint("entry_id", name="pk_einvoice_standings"),
    )
    op.create_table(
        "einvoice_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_entry_id", ENTRY_ID, nullable=False),
        sa.Column("invoice_entry_id", ENTRY_ID, nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("file_name", sa.String(length=1024), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        _entry_fk("einvoice_reports", "payment_entry_id"),
        _entry_fk("einvoice_reports", "invoice_entry_id"),
        sa.PrimaryKeyConstraint("id", name="pk_einvoice_reports"),
        sa.UniqueConstraint("payment_entry_id", "invoice_entry_id", name="uq_einvoice_reports_pair"),
    )


def downgrade() -> None:
    op.drop_table("einvoice_reports")
    op.drop_table("einvoice_standings")
    op.drop_index("ix_einvoice_statuses_customer_pk", table_name="einvoice_statuses")
    op.drop_table("einvoice_statuses")
