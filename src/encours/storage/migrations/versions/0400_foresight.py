"""Foresight: risk scores and trained model artifacts.

Revision ID: 0400_foresight
Revises: 0002_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0400_foresight"
down_revision = "0002_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_scores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=1), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("recommended_credit_limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name=op.f("fk_risk_scores_customer_pk_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_scores")),
        sa.UniqueConstraint("customer_pk", "as_of", name="uq_risk_scores_customer_as_of"),
    )
    op.create_index("ix_risk_scores_as_of", "risk_scores", ["as_of"], unique=False)
    op.create_table(
        "model_artifacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("knowledge_before", sa.Date(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("n_invoices", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_artifacts")),
    )
    op.create_index(
        "ix_model_artifacts_kind_cutoff", "model_artifacts", ["kind", "knowledge_before"], unique=False
    )


def downgrade() -> None:
    op.drop_table("model_artifacts")
    op.drop_table("risk_scores")
