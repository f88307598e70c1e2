"""Refusals of what a person types in a form: amounts, dates, and the form's own field checks."""

# ruff: noqa: E501 -- one sentence per line reads better than a wrapped one

from __future__ import annotations

SENTENCES: dict[str, tuple[str, str]] = {
    "invalid_amount": ("montant illisible {text!r} : tapez par exemple 1 234,56", "invalid amount {text!r}, expected e.g. 1 234,56 or 1234.56"),
    "ambiguous_amount": ("montant ambigu {text!r} : tapez {thousands} pour des milliers, deux décimales au plus", "ambiguous amount {text!r}: write {thousands} for thousands, two decimals at most"),
    "amount_two_decimals": ("deux décimales au plus ({text!r})", "at most two decimals, got {text!r}"),
    "amount_negative": ("le montant ne peut pas être négatif ({text!r})", "amount must not be negative, got {text!r}"),
    "amount_not_positive": ("un montant supérieur à zéro est attendu ({text!r})", "not a positive amount: {text!r}"),
    "not_a_date": ("date illisible {text!r} : choisissez une date", "not a date (YYYY-MM-DD): {text!r}"),
    "invalid_date": ("date illisible {text!r} : choisissez une date", "invalid date {text!r}, expected YYYY-MM-DD"),
    "date_out_of_range": ("une date entre le 01/01/1990 et le 31/12/2100 est attendue ({text})", "a date between 1990-01-01 and 2100-12-31, got {text}"),
    "iso_day": ("une date est attendue (jj/mm/aaaa)", "a date written YYYY-MM-DD"),
    "date_before": ("la date du {day} précède aujourd'hui ({today})", "until: {day} is before {today}"),
    # the form's own checks (FastAPI's validation of a field; English as pydantic says it)
    "form_missing": ("ce champ est obligatoire", "Field required"),
    "form_too_long": ("{max_length} caractères au plus", "String should have at most {max_length} characters"),
    "form_too_many": ("{max_length} éléments au plus", "List should have at most {max_length} items"),
    "form_too_short": ("{min_length} caractères au moins", "String should have at least {min_length} characters"),
    "form_at_least": ("un nombre supérieur ou égal à {ge} est attendu", "Input should be greater than or equal to {ge}"),
    "form_at_most": ("un nombre inférieur ou égal à {le} est attendu", "Input should be less than or equal to {le}"),
    "form_above": ("un nombre supérieur à {gt} est attendu", "Input should be greater than {gt}"),
    "form_below": ("un nombre inférieur à {lt} est attendu", "Input should be less than {lt}"),
    "form_integer": ("un nombre entier est attendu", "Input should be a valid integer"),
    "form_number": ("un nombre est attendu", "Input should be a valid number"),
    "form_date": ("une date est attendue", "Input should be a valid date"),
    "form_choice": ("choisissez une des valeurs proposées", "Input should be one of the choices offered"),
    "form_yes_no": ("oui ou non est attendu", "Input should be a valid boolean"),
    "form_file": ("choisissez au moins un fichier", "Choose at least one file"),
    "form_refused": ("valeur refusée : vérifiez ce champ", "Value refused: check this field"),
}  # fmt: skip
