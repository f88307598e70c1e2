"""The menu's groups (web.ui.menu)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "menu": ("Menu principal", "Main menu"),
    "menu_work": ("Travail", "Work"),
    "menu_collection": ("Recouvrement", "Collection"),
    "menu_cash": ("Trésorerie", "Treasury"),
    "menu_admin": ("Administration", "Administration"),
}
