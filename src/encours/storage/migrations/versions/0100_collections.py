"""Collections: dunning runs, actions (outbox), step markers, customer penalty terms.

Revision ID: 0100_collections
Revises: 0002_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0100_collections"
down_revision = "0002_audit"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dunning_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_runs")),
    )
    op.create_table(
        "dunning_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("invoice_ids", sa.JSON(), nullable=False),
        sa.Column("entry_keys", sa.JSON(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("message_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document", sa.String(length=1024), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["dunning_runs.id"], name=op.f("fk_dunning_actions_run_id_dunning_runs")
        ),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name=op.f("fk_dunning_actions_customer_pk_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_actions")),
    )
    op.create_index("ix_dunning_actions_status", "dunning_actions", ["status", "id"], unique=False)
    op.create_index("ix_dunning_actions_customer", "dunning_actions", ["customer_pk", "id"], unique=False)
    op.create_table(
        "dunning_marks",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("entry_id", BIG_ID, nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_dunning_marks_entry_id_entries")),
        sa.ForeignKeyConstraint(
            ["action_id"], ["dunning_actions.id"], name=op.f("fk_dunning_marks_action_id_dunning_actions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_marks")),
        sa.UniqueConstraint("entry_id", "step", name="uq_dunning_marks_entry_step"),
    )
    op.create_index("ix_dunning_marks_action", "dunning_marks", ["action_id"], unique=False)
    op.create_table(
        "customer_penalty_terms",
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("contract_rate", sa.String(length=16), nullable=True),
        sa.Column("waived", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name=op.f("fk_customer_penalty_terms_customer_pk_customers")
        ),
        sa.PrimaryKeyConstraint("customer_pk", name=op.f("pk_customer_penalty_terms")),
    )


def downgrade() -> None:
    op.drop_table("customer_penalty_terms")
    op.drop_table("dunning_marks")
    op.drop_table("dunning_actions")
    op.drop_table("dunning_runs")
