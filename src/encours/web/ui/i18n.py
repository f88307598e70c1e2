"""Screen texts in French and English, and locale-aware formatting of money, numbers and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALES = {"fr": "fr_FR", "en": "en_GB"}

TEXTS: dict[str, tuple[str, str]] = {
    # key: (français, English)
    "app": ("Encours", "Encours"),
    "dashboard": ("Tableau de bord", "Dashboard"),
    "worklist": ("Liste de travail", "Worklist"),
    "customers": ("Clients", "Customers"),
    "customer": ("Client", "Customer"),
    "aging": ("Balance âgée", "Aged balance"),
    "disputes": ("Litiges", "Disputes"),
    "promises": ("Promesses", "Promises"),
    "dunning": ("Relances", "Dunning"),
    "users": ("Utilisateurs", "Users"),
    "sign_in": ("Se connecter", "Sign in"),
    "sign_out": ("Se déconnecter", "Sign out"),
    "email": ("E-mail", "E-mail"),
    "password": ("Mot de passe", "Password"),
    "as_of": ("Au", "As of"),
    "outstanding": ("Encours total", "Outstanding"),
    "overdue": ("Échu", "Overdue"),
    "overdue_ratio": ("Part échue", "Overdue ratio"),
    "dso_countback": ("DSO (méthode de l'épuisement)", "DSO (countback)"),
    "dso_simple": ("DSO simple", "Simple DSO"),
    "best_possible_dso": ("Meilleur DSO possible", "Best possible DSO"),
    "add": ("Retard moyen (ADD)", "Average days delinquent"),
    "cei": ("Efficacité de recouvrement (CEI)", "Collection effectiveness (CEI)"),
    "doubtful_rate": ("Part douteuse", "Doubtful rate"),
    "days": ("jours", "days"),
    "dso_trend": ("DSO sur 12 mois", "DSO over 12 months"),
    "aging_chart": ("Répartition par ancienneté", "Aging buckets"),
    "top_overdue": ("Plus gros retards", "Top overdue customers"),
    "forecast": ("Encaissements prévus (13 semaines)", "Expected cash-in (13 weeks)"),
    "dunning_activity": ("Activité de relance", "Dunning activity"),
    "failed_deliveries": ("Relances non délivrées", "Failed deliveries"),
    "attempts": ("Tentatives", "Attempts"),
    "alert_dso": ("Alerte : DSO au-dessus du seuil", "Alert: DSO above threshold"),
    "alert_overdue": ("Alerte : part échue au-dessus du seuil", "Alert: overdue ratio above threshold"),
    "search": ("Rechercher", "Search"),
    "name": ("Nom", "Name"),
    "balance": ("Solde", "Balance"),
    "total": ("Total", "Total"),
    "not_due": ("Non échu", "Not due"),
    "previous": ("Précédent", "Previous"),
    "next": ("Suivant", "Next"),
    "page_of": ("sur", "of"),
    "invoice": ("Facture", "Invoice"),
    "invoices": ("Factures", "Invoices"),
    "open_items": ("Pièces ouvertes", "Open items"),
    "date": ("Date", "Date"),
    "due_date": ("Échéance", "Due date"),
    "amount": ("Montant", "Amount"),
    "open_amount": ("Reste dû", "Open amount"),
    "days_late": ("Jours de retard", "Days late"),
    "disputed": ("En litige", "Disputed"),
    "payments": ("Règlements", "Payments"),
    "unapplied": ("Non lettré", "Unapplied"),
    "credit_limit": ("Limite de crédit", "Credit limit"),
    "credit_use": ("Utilisation de la limite", "Credit limit use"),
    "score": ("Score", "Score"),
    "reasons": ("Raisons", "Reasons"),
    "timeline": ("Historique", "Timeline"),
    "contacts": ("Contacts", "Contacts"),
    "sales_rep": ("Commercial", "Sales rep"),
    "segment": ("Segment", "Segment"),
    "language": ("Langue", "Language"),
    "priority": ("Priorité", "Priority"),
    "actions": ("Actions", "Actions"),
    "log_call": ("Noter un appel", "Log call"),
    "record_promise": ("Enregistrer une promesse", "Record promise"),
    "open_dispute": ("Ouvrir un litige", "Open dispute"),
    "add_note": ("Ajouter une note", "Add note"),
    "assign": ("Attribuer", "Assign"),
    "note": ("Note", "Note"),
    "save": ("Enregistrer", "Save"),
    "export_csv": ("Export CSV", "CSV export"),
    "export_xlsx": ("Export Excel", "Excel export"),
    "portal_link": ("Lien portail client", "Customer portal link"),
    "no_data": ("Aucune donnée", "No data"),
    "done": ("Enregistré", "Saved"),
    "role": ("Rôle", "Role"),
    "active": ("Actif", "Active"),
    "digest": ("Synthèse hebdo", "Weekly digest"),
    "create": ("Créer", "Create"),
    "settings": ("Préférences", "Settings"),
    "status": ("Statut", "Status"),
    "reason": ("Motif", "Reason"),
    "message": ("Message", "Message"),
    "promised_date": ("Date promise", "Promised date"),
    "promise_invoices": ("Factures (vide : toutes les ouvertes)", "Invoices (empty: all open)"),
    "litigation": ("Contentieux", "Litigation"),
    "hold": ("Remis à", "Handed over to"),
    "since": ("Depuis", "Since"),
    "not_available": (
        "Ce module n'est pas encore installé.",
        "This module is not available yet.",
    ),
    "forbidden": ("Accès refusé", "Access denied"),
    "bad_login": ("E-mail ou mot de passe incorrect", "Invalid e-mail or password"),
    "throttled": ("Trop d'essais ; réessayez dans 15 minutes", "Too many attempts; try again in 15 minutes"),
    "portal_title": ("Vos factures ouvertes", "Your open invoices"),
    "portal_intro": (
        "Voici les factures qui restent à régler. Vous pouvez nous signaler un paiement, "
        "une date de règlement ou un désaccord.",
        "Here are the invoices still open. You can tell us about a payment, a payment date "
        "or a disagreement.",
    ),
    "declare_payment": ("Signaler un paiement", "Tell us about a payment"),
    "declare_promise": ("Promettre une date de paiement", "Promise a payment date"),
    "raise_dispute": ("Contester une facture", "Dispute an invoice"),
    "thanks": ("Merci, votre message a bien été reçu.", "Thank you, we received your message."),
    "download_statement": ("Télécharger le relevé (PDF)", "Download statement (PDF)"),
    "pay_online": ("Payer en ligne", "Pay online"),
    "method": ("Moyen de paiement", "Payment method"),
    "all_invoices": ("Toutes", "All"),
    "exposure": ("Exposition", "Exposure"),
    "credit_hold": ("Compte bloqué (crédit)", "Credit hold"),
    "plans": ("Échéanciers", "Payment plans"),
    "owner": ("Responsable", "Owner"),
    "opened_by": ("Ouvert par", "Opened by"),
    "created_by": ("Créé par", "Created by"),
    "preview": ("Aperçu de la prochaine relance", "Preview the next run"),
    "scenario": ("Scénario", "Scenario"),
    "scenarios": ("Scénarios", "Scenarios"),
    "template": ("Modèle", "Template"),
    "templates": ("Modèles", "Templates"),
    "step": ("Étape", "Step"),
    "channel": ("Canal", "Channel"),
    "recent_actions": ("Dernières actions", "Recent actions"),
    "recommended_limit": ("Limite recommandée", "Recommended limit"),
    "computing": (
        "En cours de calcul, rechargez la page dans un instant.",
        "Being computed: reload the page in a moment.",
    ),
    "forecast_offline": (
        "Grand livre trop volumineux pour entraîner le modèle dans l'application web : "
        "lancez « encours forecast ».",
        "Ledger too large to train the model inside the web app: run `encours forecast`.",
    ),
    "link_invalid": ("Lien invalide ou expiré.", "Invalid or expired link."),
}


def text(key: str, language: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[1] if language == "en" else pair[0]


def locale(language: str) -> str:
    return LOCALES.get(language, "fr_FR")


class _MoneyStyle(NamedTuple):
    prefix: str
    suffix: str
    group: str
    decimal: str


@cache
def _money_style(currency: str, language: str) -> _MoneyStyle:
    """Babel's layout for a currency in a locale, read once from a sample (formatting is hot)."""
    sample = str(format_currency(Decimal("1234.56"), currency, locale=locale(language)))
    first, last = sample.index("1"), sample.rindex("6")
    body = sample[first : last + 1]  # e.g. "1 234,56" or "1,234.56"
    return _MoneyStyle(sample[:first], sample[last + 1 :], body[1], body[-3])


def money(amount: Decimal, currency: str, language: str) -> str:
    """Same text as Babel's format_currency, much faster (pages list hundreds of amounts)."""
    style = _money_style(currency, language)
    digits = (
        f"{abs(amount):,.2f}".replace(",", "\x00").replace(".", style.decimal).replace("\x00", style.group)
    )
    return f"{'-' if amount < 0 else ''}{style.prefix}{digits}{style.suffix}"


@lru_cache(maxsize=8192)  # pages show the same figures and dates again and again; Babel is slow
def number(value: Decimal | float | int | None, language: str, places: int = 1) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(value, format=pattern, locale=locale(language)))


@lru_cache(maxsize=8192)
def day(value: dt.date, language: str) -> str:
    return str(
        format_date(value, format="short" if language == "en" else "dd/MM/yyyy", locale=locale(language))
    )
