"""Refusals of the workspace screens: bulk actions, dunning in the browser, imports, jobs, pages."""

# ruff: noqa: E501 -- one sentence per line reads better than a wrapped one

from __future__ import annotations

JOB = {
    "queued": "en attente",
    "running": "en cours",
    "done": "terminée",
    "failed": "en échec",
    "cancelled": "annulée",
}

SENTENCES: dict[str, tuple[str, str] | tuple[str, str, dict[str, dict[str, str]]]] = {
    "no_customer_ticked": ("cochez au moins un client", "tick at least one customer"),
    "name_disputed_invoice": ("indiquez la facture contestée", "name the disputed invoice"),
    "unknown_action": ("action inconnue {kind!r}", "unknown action {kind!r}"),
    "unknown_bulk_action": ("action groupée inconnue {kind!r}", "unknown action {kind!r}; expected {expected}"),
    "pause_from_today": ("choisissez une fin de pause à partir d'aujourd'hui", "pause reminders until a date from today on"),
    "no_statement_address": ("{customer} n'a pas d'adresse e-mail pour recevoir un relevé", "{customer} has no e-mail address for a statement"),
    "statement_not_delivered": ("{customer} : relevé non remis ({reason})", "{customer}: statement not delivered: {reason}"),
    "no_customer": ("aucun client {customer}", "no customer {customer}"),
    "no_customer_quoted": ("aucun client {customer!r}", "no customer {customer!r}"),
    "no_letter_in_next": ("aucune lettre {name} dans le prochain envoi à {customer}", "no letter {name} in the next message to {customer}"),
    "no_dunning_action": ("aucune action de relance {action}", "no dunning action {action}"),
    "no_kept_email": ("aucun e-mail conservé pour l'action {action}", "no e-mail kept for action {action}"),
    "no_kept_letter": ("aucune lettre conservée pour l'action {action}", "no letter kept for action {action}"),
    "no_dunning_run": ("aucune campagne de relance {job}", "no dunning run {job}"),
    "no_scenario": ("aucun scénario {name}", "no scenario {name}"),
    "no_template": ("aucun modèle {name}", "no template {name}"),
    "no_rate_table": ("aucune table de taux {name}", "no rate table {name}"),
    "no_import_job": ("aucune importation {job}", "no import job {job}"),
    "no_job": ("aucune tâche de fond {job}", "no job {job}"),
    "job_not_retryable": ("la tâche de fond {job} est {status} : seule une tâche en échec ou annulée peut être relancée", "job {job} is {status}: only a failed or cancelled job can be retried", {"status": JOB}),
    "job_closed": ("la tâche de fond {job} est déjà {status}", "job {job} is already {status}", {"status": JOB}),
    "unknown_job_status": ("statut inconnu {status!r}", "unknown status {status!r}; one of {expected}"),
    "upload_count": ("choisissez entre 1 et {count} fichiers", "choose between 1 and {count} files"),
    "upload_too_large": ("les fichiers dépassent la taille permise pour un envoi", "the files are larger than the upload limit"),
}  # fmt: skip
