"""Screen texts of the import job's bank statements and lifecycle statuses, the statements job
and the job page."""

TEXTS: dict[str, tuple[str, str]] = {
    # key: (français, English)
    "jm_statements_imported": ("Relevés bancaires importés", "Bank statements imported"),
    "jm_account": ("Compte", "Account"),
    "jm_transactions": ("Opérations", "Transactions"),
    "jm_new_transactions": ("Nouvelles", "New"),
    "jm_known_transactions": ("Déjà connues", "Already known"),
    "jm_to_cash": ("Lettrer les encaissements", "Apply the receipts"),
    "jm_statuses_imported": ("Statuts de cycle de vie importés", "Lifecycle statuses imported"),
    "jm_new_statuses": ("Nouveaux statuts", "New statuses"),
    "jm_unchanged_statuses": ("Statuts inchangés", "Unchanged statuses"),
    "jm_disputes_opened": ("Litiges ouverts", "Disputes opened"),
    "jm_out_of_dunning": ("Factures hors relance", "Invoices out of dunning"),
}
