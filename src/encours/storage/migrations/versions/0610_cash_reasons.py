"""Bank lines keep their reason as codes with values (and a suggestion's proposed invoices), so
the cash-application screen tells it in the user's language; ``reason`` stays the English text.

Revision ID: 0610_cash_reasons
Revises: 0608_dunning_web
"""

import sqlalchemy as sa
from alembic import op

revision = "0610_cash_reasons"
down_revision = "0608_dunning_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bank_transactions") as batch:
        batch.add_column(sa.Column("reason_data", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("bank_transactions") as batch:
        batch.drop_column("reason_data")
