"""The app's menu: the dashboard, then a few groups a credit manager names their work by.

Thirteen destinations side by side wrapped or scrolled at 1280 px in French; grouped under
Travail / Recouvrement / Trésorerie / Administration (each a ``<details>`` sub-menu, usable
from the keyboard and without JavaScript) they fit on one line at 1280 px in both languages.
"""

from __future__ import annotations

from typing import NamedTuple

from encours.users.roles import Permission, Role, allows


class Entry(NamedTuple):
    href: str
    label: str  # text key
    on: bool  # the page shown is this one (or under it)


class Group(NamedTuple):
    label: str  # text key
    entries: tuple[Entry, ...]

    @property
    def on(self) -> bool:
        return any(entry.on for entry in self.entries)


# group: (destination, text key, permission needed or None)
GROUPS: tuple[tuple[str, tuple[tuple[str, str, Permission | None], ...]], ...] = (
    ("menu_work", (
        ("/worklist", "worklist", None), ("/tasks", "ws_tasks", None), ("/customers", "customers", None),
    )),
    ("menu_collection", (
        ("/dunning", "dunning", None), ("/promises", "promises", None), ("/plans", "plans", None),
        ("/disputes", "disputes", None), ("/litigation", "litigation", None),
    )),
    ("menu_cash", (("/cash", "cash_menu", Permission.WORK), ("/aging", "aging", None))),
    ("menu_admin", (("/jobs", "jobs", None), ("/admin", "adm_admin", Permission.MANAGE))),
)  # fmt: skip


def _under(path: str, href: str) -> bool:
    return path == href or path.startswith(href + "/")


def menu(path: str, role: Role) -> tuple[Entry, tuple[Group, ...]]:
    """The dashboard's entry and the groups this role may open, marked where ``path`` is."""
    groups = []
    for label, destinations in GROUPS:
        entries = tuple(
            Entry(href, key, _under(path, href))
            for href, key, needed in destinations
            if needed is None or allows(role, needed)
        )
        if entries:
            groups.append(Group(label, entries))
    return Entry("/", "dashboard", path == "/"), tuple(groups)
