"""Administration's screens, registered by the app in one line: users, settings, audit, import, help."""

from __future__ import annotations

from encours.web.ui import admin_audit, admin_help, admin_import, admin_settings, admin_users

admin_routers = (
    admin_users.router, admin_settings.router, admin_audit.router, admin_import.router, admin_help.router,
)  # fmt: skip
