"""Collections casework: disputes, promises, payment plans, notes, holds, assignments,
credit groups, open orders, tasks.

Revision ID: 0200_casework
Revises: 0002_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0200_casework"
down_revision = "0002_audit"
branch_labels = None
depends_on = None

ENTRY_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _customer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["customer_pk"], ["customers.id"], name=f"fk_{table}_customer_pk_customers"
    )


def _entry_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=f"fk_{table}_entry_id_entries")


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("entry_id", ENTRY_ID, nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=255), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=255), nullable=True),
        _customer_fk("disputes"),
        _entry_fk("disputes"),
        sa.PrimaryKeyConstraint("id", name="pk_disputes"),
    )
    op.create_index("ix_disputes_customer_pk", "disputes", ["customer_pk"])
    op.create_index("ix_disputes_entry_status", "disputes", ["entry_id", "status"])

    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("honour_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=True),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        _customer_fk("promises"),
        sa.PrimaryKeyConstraint("id", name="pk_promises"),
    )
    op.create_index("ix_promises_customer_pk", "promises", ["customer_pk"])
    op.create_index("ix_promises_status", "promises", ["status", "honour_by"])
    op.create_table(
        "promise_entries",
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", ENTRY_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promises.id"], name="fk_promise_entries_promise_id_promises"
        ),
        _entry_fk("promise_entries"),
        sa.PrimaryKeyConstraint("promise_id", "entry_id", name="pk_promise_entries"),
    )

    op.create_table(
        "payment_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        _customer_fk("payment_plans"),
        sa.PrimaryKeyConstraint("id", name="pk_payment_plans"),
    )
    op.create_index("ix_payment_plans_customer_pk", "payment_plans", ["customer_pk"])
    op.create_table(
        "plan_entries",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", ENTRY_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["payment_plans.id"], name="fk_plan_entries_plan_id_payment_plans"
        ),
        _entry_fk("plan_entries"),
        sa.PrimaryKeyConstraint("plan_id", "entry_id", name="pk_plan_entries"),
    )
    op.create_table(
        "plan_instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["payment_plans.id"], name="fk_plan_instalments_plan_id_payment_plans"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_plan_instalments"),
        sa.UniqueConstraint("plan_id", "seq", name="uq_plan_instalments_plan_seq"),
    )

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("entry_id", ENTRY_ID, nullable=True),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _customer_fk("notes"),
        _entry_fk("notes"),
        sa.PrimaryKeyConstraint("id", name="pk_notes"),
    )
    op.create_index("ix_notes_customer_pk", "notes", ["customer_pk"])

    op.create_table(
        "customer_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=255), nullable=True),
        _customer_fk("customer_holds"),
        sa.PrimaryKeyConstraint("id", name="pk_customer_holds"),
    )
    op.create_index("ix_customer_holds_customer_kind", "customer_holds", ["customer_pk", "kind"])

    op.create_table(
        "customer_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=255), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=255), nullable=False),
        _customer_fk("customer_assignments"),
        sa.PrimaryKeyConstraint("id", name="pk_customer_assignments"),
        sa.UniqueConstraint("customer_pk", "role", name="uq_customer_assignments_role"),
    )

    op.create_table(
        "credit_groups",
        sa.Column("siren", sa.String(length=9), nullable=False),
        sa.Column("limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("siren", name="pk_credit_groups"),
    )
    op.create_table(
        "customer_open_orders",
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        _customer_fk("customer_open_orders"),
        sa.PrimaryKeyConstraint("customer_pk", name="pk_customer_open_orders"),
    )

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("assignee", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=True),
        sa.Column("entry_keys", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=255), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        _customer_fk("tasks"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
        sa.UniqueConstraint("ref", name="uq_tasks_ref"),
    )
    op.create_index("ix_tasks_status_due", "tasks", ["status", "due_date"])
    op.create_index("ix_tasks_customer", "tasks", ["customer_pk"])


def downgrade() -> None:
    for table in (
        "tasks",
        "customer_open_orders",
        "credit_groups",
        "customer_assignments",
        "customer_holds",
        "notes",
        "plan_instalments",
        "plan_entries",
        "payment_plans",
        "promise_entries",
        "promises",
        "disputes",
    ):
        op.drop_table(table)
