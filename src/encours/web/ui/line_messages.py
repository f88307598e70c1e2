"""What a refused import line says, in the page's language.

The importers word their line errors in English (the CLI prints them as they are); the
screen says the frequent ones in French, and any other as a French generic text with the
importer's own words kept in a tooltip, so a French page shows no English.
"""

# ruff: noqa: E501 -- one message and its translation per line

from __future__ import annotations

import re

from encours.domain.errors import LedgerError
from encours.domain.punctuation import mark, spaced

FRENCH = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"invalid date (?P<v>.+), expected YYYY-MM-DD", "date invalide {v}, attendu AAAA-MM-JJ"),
        (r"invalid date (?P<v>.+), expected YYYYMMDD", "date invalide {v}, attendu AAAAMMJJ"),
        (r"invalid amount (?P<v>.+)", "montant invalide {v}"),
        (r"amount (?P<v>.+) has more than 2 decimals", "le montant {v} a plus de 2 décimales"),
        (r"negative amount (?P<v>.+); use a credit note or a payment", "montant négatif {v} : passez un avoir ou un paiement"),
        (r"negative number (?P<v>.+)", "nombre négatif {v}"),
        (r"empty amount", "montant vide"),
        (r"required column is missing", "colonne obligatoire absente"),
        (r"required value is empty", "valeur obligatoire vide"),
        (r"empty file", "fichier vide"),
        (r"unrecognised file format", "format de fichier non reconnu"),
        (r"(?P<n>\d+) fields, header has (?P<w>\d+)", "{n} champs alors que l'en-tête en a {w}"),
        (r"invalid currency (?P<v>.+), expected an ISO 4217 code", "devise invalide {v}, attendu un code ISO 4217"),
        (r"invalid boolean (?P<v>.+), expected true or false", "booléen invalide {v}, attendu true ou false"),
        (r"invalid kind (?P<v>.+), expected invoice or credit_note", "type invalide {v}, attendu invoice ou credit_note"),
        (r"duplicate (?P<f>\w+) (?P<v>.+) \(first on line (?P<n>\d+)\)", "{f} {v} en double (déjà ligne {n})"),
        (r"invalid IBAN (?P<v>.+)", "IBAN invalide {v}"),
        (r"malformed XML: (?P<v>.+)", "XML mal formé : {v}"),
        (r"cannot read file: (?P<v>.+)", "fichier illisible : {v}"),
        (r"refused by the template sandbox: .+", "refusé par le bac à sable des modèles : instruction non permise"),
        (r"syntax error: No filter named '(?P<v>[^']+)'.*", "erreur de syntaxe dans le modèle : pas de filtre nommé « {v} »"),
        (r"syntax error: .+", "erreur de syntaxe dans le modèle"),
        (r"does not render: '(?P<v>[^']+)' is undefined", "le modèle ne s'affiche pas : « {v} » n'est pas défini"),
        (r"does not render: '[^']+' has no attribute '(?P<v>[^']+)'", "le modèle ne s'affiche pas : « {v} » n'existe pas"),
        (r"does not render: .+", "le modèle ne s'affiche pas avec les données d'exemple"),
        (r"statement (?P<s>.+) of account (?P<a>.+): closing balance (?P<c>\S+) differs from opening balance (?P<o>\S+) \+ movements (?P<m>\S+) = (?P<t>\S+)",
         "relevé {s} du compte {a} : solde final {c} différent du solde initial {o} + mouvements {m} = {t}"),
    )
)  # fmt: skip
GENERIC_FRENCH = "valeur refusée (détail en anglais au survol)"


def said_line(error: LedgerError, language: str) -> str:
    """A refused line of an edited file (a template, a scenario, a rate table) for the page."""
    if language == "en":
        return str(error)
    where = f"{error.file}:{error.line}" if error.line else error.file
    field = f" [{error.field}]" if error.field else ""
    return f"{where}{field}{mark(':', language)} {line_message(error.message, language)[0]}"


def line_message(message: str, language: str) -> tuple[str, str]:
    """(text shown, tooltip): the importer's message in English; in French, its translation."""
    if language == "en":
        return message, ""
    for pattern, french in FRENCH:
        found = pattern.fullmatch(message)
        if found:
            return spaced(french.format(**found.groupdict()), language), ""
    return GENERIC_FRENCH, message
