"""Refusals of casework: promises, disputes, plans, tasks, notes, assignments and holds."""

# ruff: noqa: E501 -- one sentence per line reads better than a wrapped one

from __future__ import annotations

PROMISE = {"open": "ouverte", "kept": "tenue", "broken": "rompue", "cancelled": "annulée"}
DISPUTE = {"open": "ouverte", "resolved": "résolue", "rejected": "rejetée"}
PLAN = {"active": "en cours", "completed": "terminé", "broken": "rompu", "cancelled": "annulé"}
TASK = {"open": "ouverte", "done": "faite", "cancelled": "annulée"}
HOLD = {
    "pause": "pause",
    "credit_hold": "blocage de crédit",
    "litigation": "procédure contentieuse",
    "agency": "remise au cabinet de recouvrement",
}
ROLE = {"collector": "chargé de recouvrement", "sales_rep": "commercial"}
RECORD = {
    "promise": "promesse",
    "dispute": "contestation",
    "plan": "échéancier",
    "task": "tâche",
    "note": "note",
    "view": "vue",
}

# code: (français, English[, {value's name: {English word: French word}}])
SENTENCES: dict[str, tuple[str, ...] | tuple[str, str, dict[str, dict[str, str]]]] = {
    "unknown_customer": ("client inconnu {customer!r}", "unknown customer {customer!r}"),
    "unknown_record": ("{what} {number} introuvable", "unknown {what} {number}", {"what": RECORD}),
    "several_entries": ("{invoice!r} désigne plusieurs pièces de {customer} : utilisez la clé", "{invoice!r} names several entries of {customer}; use the key"),
    "unknown_invoice": ("facture inconnue {invoice!r} pour le client {customer}", "unknown invoice {invoice!r} for customer {customer}"),
    "not_an_invoice": ("{invoice!r} n'est pas une facture", "{invoice!r} is not an invoice (it is a {kind})"),
    "several_currencies": ("factures en plusieurs devises : {currencies}", "invoices in several currencies: {currencies}"),
    "unknown_assignment_role": ("rôle inconnu {role!r} : chargé de recouvrement ou commercial attendu", "unknown role {role!r}; expected collector or sales_rep"),
    "empty_assignee": ("indiquez à qui confier ce client", "empty assignee"),
    "no_assignee": ("{customer} n'a pas de {role} attribué", "customer {customer} has no assigned {role}", {"role": ROLE}),
    "not_negative": ("le montant ne peut pas être négatif ({amount})", "must not be negative, got {amount}"),
    "two_decimals": ("deux décimales au plus ({amount})", "at most two decimals, got {amount}"),
    "invalid_siren": ("SIREN invalide {siren!r} : neuf chiffres attendus", "invalid SIREN {siren!r}: {reason}"),
    "no_group_limit": ("aucune limite de groupe pour {siren}", "no group limit set for {siren}"),
    "promise_not_positive": ("le montant promis doit être supérieur à zéro ({amount})", "a promised amount must be positive, got {amount}"),
    "grace_negative": ("le délai de grâce ne peut pas être négatif", "grace days cannot be negative"),
    "promise_needs_day": ("une promesse a besoin de sa date de gestion", "a promise needs its business date (as_of)"),
    "promised_before_made": ("la date annoncée ({promised}) précède celle de la promesse ({made})", "promised date {promised} is before the promise ({made})"),
    "nothing_to_promise": ("{customer} n'a aucune facture ouverte au {day} sur laquelle promettre un paiement", "{customer} has no open invoice on {day} to promise a payment for"),
    "promise_closed": ("la promesse {promise} est déjà {status}", "promise {promise} is already {status}", {"status": PROMISE}),
    "outcome_kept_or_broken": ("choisissez tenue ou rompue ({outcome!r})", "outcome must be kept or broken, got {outcome!r}"),
    "unknown_hold": ("type de suspension inconnu {kind!r}", "unknown hold {kind!r}; expected one of {choices}"),
    "hold_ends_before_start": ("la date de fin ({end}) précède le début ({start})", "end date {end} is before the start {start}"),
    "no_hold": ("{customer} n'a aucune {kind} à lever", "customer {customer} has no {kind} to release", {"kind": HOLD}),
    "more_than_a_year": ("la date du {day} est à plus d'un an de la date de gestion ({as_of})", "{what} {day} is more than a year from the business date {as_of}"),
    "promise_after_day": ("une promesse ne peut pas dater du {day}, après la date de gestion ({as_of})", "a promise cannot be made on {day}, after the business date {as_of}"),
    "promise_exceeds": (
        "une promesse de {amount} {currency} dépasse ce que doivent les factures couvertes : solde {balance} {currency}, au plus {ceiling} {currency} avec les pénalités de retard",
        "a promise of {amount} {currency} exceeds what the covered invoices owe: open balance {balance} {currency}, at most {ceiling} {currency} with late-payment penalties",
    ),
    "dispute_needs_reason": ("indiquez le motif de la contestation", "a dispute needs a reason"),
    "dispute_open_already": ("{invoice} a déjà une contestation ouverte ({dispute})", "{invoice} already has an open dispute ({dispute})"),
    "dispute_closed": ("la contestation {dispute} est déjà {status}", "dispute {dispute} is already {status}", {"status": DISPUTE}),
    "dispute_needs_resolution": ("indiquez comment la contestation s'est terminée", "say how the dispute ended"),
    "empty_owner": ("indiquez le responsable de la contestation", "empty owner"),
    "unknown_category": ("catégorie inconnue {category!r}", "unknown category {category!r}; expected one of {expected}"),
    "view_needs_name": ("donnez un nom à la vue (80 caractères au plus)", "a view needs a name (80 characters at most)"),
    "view_too_long": ("trop de filtres pour une seule vue", "too many filters for one view"),
    "too_many_views": ("{count} vues enregistrées au plus", "at most {count} saved views"),
    "empty_note": ("la note est vide", "empty note"),
    "note_too_long": ("la note dépasse {count} caractères", "note longer than {count} characters"),
    "note_needs_author": ("une note a besoin d'un auteur", "a note needs an author"),
    "plan_needs_invoice": ("un échéancier couvre au moins une facture", "a payment plan covers at least one invoice"),
    "already_in_plan": ("déjà dans un échéancier en cours : {invoices}", "already in an active payment plan: {invoices}"),
    "nothing_left": ("plus rien à payer sur {invoices} au {day}", "nothing left to pay on {invoices} at {day}"),
    "plan_instalments_or_count": ("donnez soit les échéances, soit leur nombre, pas les deux", "give either explicit instalments or a count, not both"),
    "plan_needs_count": ("donnez les échéances, ou leur nombre et la date de la première", "give explicit instalments, or a count and a first due date"),
    "plan_one_instalment": ("un échéancier a au moins une échéance", "a plan needs at least one instalment"),
    "plan_months_apart": ("les échéances sont espacées d'un mois au moins", "instalments must be at least one month apart"),
    "plan_positive": ("un échéancier couvre un montant supérieur à zéro", "a plan must cover a positive amount"),
    "plan_schedule": ("ces échéances ne conviennent pas : vérifiez leurs dates et leurs montants", "{problems}"),
    "plan_closed": ("l'échéancier {plan} est déjà {status}", "plan {plan} is already {status}", {"status": PLAN}),
    "unknown_task_kind": ("type de tâche inconnu {kind!r}", "unknown task kind {kind!r}; expected one of {expected}"),
    "not_a_user": ("{email} n'est pas un utilisateur d'Encours", "{email} is not a user of Encours", {"email": {"(none)": "(personne)"}}),
    "call_needs_text": ("indiquez l'objet de l'appel", "say what the call was about"),
    "task_needs_kind": ("une tâche a besoin d'un type (par exemple un appel)", "a task needs a kind (e.g. call)"),
    "task_needs_title": ("une tâche a besoin d'un intitulé", "a task needs a title"),
    "task_closed": ("la tâche {task} est déjà {status}", "task {task} is already {status}", {"status": TASK}),
}  # fmt: skip
