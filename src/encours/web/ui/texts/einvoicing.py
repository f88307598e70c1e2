"""Screen texts of the e-invoicing lifecycle: each status code's label, each standing."""

from encours.einvoicing.statuses import LABELS

TEXTS: dict[str, tuple[str, str]] = {
    "einvoice_status": ("Statut e-facture", "E-invoice status"),
    "einvoice_not_issued": ("Non émise légalement · hors relances", "Not legally issued · no reminders"),
    "einvoice_refused": ("Refusée · hors relances", "Refused · no reminders"),
    "einvoice_factored": ("Affacturée · hors relances", "Factored · no reminders"),
} | {f"cdar_{code}": pair for code, pair in LABELS.items()}
