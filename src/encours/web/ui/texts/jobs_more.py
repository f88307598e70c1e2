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
    "job_kind_statements": ("Envoi de relevés de compte", "Statements to customers"),
    "job_kind_notification_emails": ("Notifications par courriel", "Notification e-mails"),
    "jm_back_worklist": ("Liste de travail", "Worklist"),
    "jm_back_jobs": ("Tâches de fond", "Jobs"),
    "jm_back_admin_import": ("Importer des fichiers", "Import files"),
    "jm_running_help": (
        "La page se met à jour seule ; vous pouvez la quitter, la tâche continue.",
        "This page updates itself; you may leave it, the job goes on.",
    ),
    "jm_statements_sent": ("Relevés envoyés :", "Statements sent:"),
    "jm_statements_failed": ("Relevés non envoyés", "Statements not sent"),
    "jm_customer": ("Client", "Customer"),
    "jm_reason": ("Motif", "Reason"),
    "jm_reason_no_email": ("aucune adresse électronique", "no e-mail address"),
    "jm_reason_not_delivered": ("refusé par le serveur de messagerie", "refused by the mail server"),
    "jm_reason_refused": ("client introuvable", "customer not found"),
    "jm_error_see_job": ("voir le détail", "see the details"),
    "jm_import_details": ("Fichiers importés et lignes refusées", "Files imported and lines refused"),
}
