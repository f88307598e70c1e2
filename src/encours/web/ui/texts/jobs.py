"""Screen texts of the jobs page (imports, dunning runs, training, figures, digests in the queue)."""

TEXTS: dict[str, tuple[str, str]] = {
    # key: (français, English)
    "jobs": ("Tâches de fond", "Jobs"),
    "jobs_intro": (
        "Les importations, relances, calculs et synthèses s'exécutent ici, hors des pages ; "
        "la liste se met à jour seule.",
        "Imports, dunning runs, figures and digests run here, away from the pages; the list updates itself.",
    ),
    "job_id": ("N°", "No."),
    "job_kind": ("Nature", "Kind"),
    "job_status": ("État", "Status"),
    "job_attempts": ("Essais", "Attempts"),
    "job_queued": ("Demandée", "Queued"),
    "job_started": ("Commencée", "Started"),
    "job_finished": ("Terminée", "Finished"),
    "job_progress": ("Avancement", "Progress"),
    "job_error": ("Erreur", "Error"),
    "job_requested_by": ("Demandée par", "Requested by"),
    "job_retry": ("Relancer", "Retry"),
    "job_cancel": ("Annuler", "Cancel"),
    "job_files_gone": ("fichiers à déposer de nouveau", "files to upload again"),
    "job_none": ("Aucune tâche.", "No job."),
    "job_filter": ("Filtrer", "Filter"),
    "job_all": ("Toutes", "All"),
    "job_status_queued": ("en attente", "queued"),
    "job_status_running": ("en cours", "running"),
    "job_status_done": ("terminée", "done"),
    "job_status_failed": ("en échec", "failed"),
    "job_status_cancelled": ("annulée", "cancelled"),
    "job_kind_dunning_run": ("Campagne de relance", "Dunning run"),
    "job_kind_dunning_delivery": ("Envoi des relances (lot)", "Dunning delivery (shard)"),
    "job_kind_model_training": ("Apprentissage du modèle", "Model training"),
    "job_kind_figures": ("Calcul des indicateurs", "Figures"),
    "job_kind_weekly_digest": ("Synthèse hebdomadaire", "Weekly digest"),
    "job_kind_cash_application": ("Lettrage des encaissements", "Cash application"),
    "job_kind_import_file": ("Importation de fichiers", "File import"),
}
