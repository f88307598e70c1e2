"""Column headers of the aged balance exports (CSV, XLSX)."""

TEXTS: dict[str, tuple[str, str]] = {
    "export_customer_id": ("Code client", "Customer id"),
    "export_name": ("Raison sociale", "Name"),
    "export_currency": ("Devise", "Currency"),
    "export_total": ("Total", "Total"),
}
