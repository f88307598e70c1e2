"""Roles and what each may do: one table, checked by the web layer and the services."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    CREDIT_MANAGER = "credit_manager"
    COLLECTOR = "collector"
    SALES = "sales"


class Permission(StrEnum):
    READ = "read"  # see customers, invoices, balances, KPIs
    COMMENT = "comment"  # add notes and comments
    WORK = "work"  # log calls, record promises, open disputes, assign
    MANAGE = "manage"  # edit scenarios, templates, credit limits, holds; run dunning
    ADMIN_USERS = "admin_users"  # create and change users


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CREDIT_MANAGER: frozenset(Permission) - {Permission.ADMIN_USERS},
    Role.COLLECTOR: frozenset({Permission.READ, Permission.COMMENT, Permission.WORK}),
    Role.SALES: frozenset({Permission.READ, Permission.COMMENT}),
}


def allows(role: Role | str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
