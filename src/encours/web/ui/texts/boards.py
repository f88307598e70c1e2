"""Words of the boards' filters and pages (disputes, promises, plans, litigation, tasks)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "board_all_statuses": ("Tous les statuts", "All statuses"),
    "board_customer_id": ("N° client", "Customer number"),
    "board_cases": ("dossiers", "cases"),
    "board_tasks": ("tâches", "tasks"),
    "board_search": ("Client (n° ou nom)", "Customer (number or name)"),
}
