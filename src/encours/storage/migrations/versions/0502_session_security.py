"""Web security: throttling by client address, and the old signing key dropped.

Failed logins are now counted per address across accounts (password spraying), hence an
index on (ip, at). The key that signed sessions and links itself is deleted from
``app_settings``: keys are now derived from a secret (ENCOURS_SECRET_KEY, else a new
``signing_secret`` row).

Revision ID: 0502_session_security
Revises: 0501_figure_snapshots
"""

import sqlalchemy as sa
from alembic import op

revision = "0502_session_security"
down_revision = "0501_figure_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_login_attempts_ip", "login_attempts", ["ip", "at"], unique=False)
    app_settings = sa.table("app_settings", sa.column("key", sa.String))
    op.execute(app_settings.delete().where(app_settings.c.key == "secret_key"))


def downgrade() -> None:
    op.drop_index("ix_login_attempts_ip", table_name="login_attempts")
