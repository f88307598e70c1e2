"""Why cash application did what it did with a receipt, in plain words (French and English).

A decision carries a reason code and its values; the words are here, once, so the CLI's JSON
(English), the web screen (the user's language) and the audit trail tell the same story.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from encours.domain.money import format_amount

Value = str | int | Decimal | tuple[str, ...]

# code: (français, English)
REASONS: dict[str, tuple[str, str]] = {
    "bank_charges": (
        "{charges} d'écart passés en frais bancaires.",
        "{charges} short, booked as bank charges.",
    ),
    "partial": (
        "Paiement partiel de {invoices} : {paid} reçus sur {due}, il reste {left} à payer.",
        "Partial payment of {invoices}: {paid} received of {due}, {left} still owed.",
    ),
    "overpaid": (
        "{excess} de plus que le solde de {invoices}, laissés au crédit du compte de {customer}.",
        "{excess} more than {invoices} still owed, left on {customer}'s account.",
    ),
    "on_account": (
        "Payé par {customer} (compte reconnu), mais aucune facture ouverte ne correspond à {amount} :"
        " laissé au crédit de son compte.",
        "Paid by {customer} (known account), but no open invoice matches {amount}: left on its account.",
    ),
    "stays_unapplied": (
        "Le paiement de {amount} de {customer} ne correspond à aucune facture ouverte : il reste non lettré.",
        "{customer}'s payment of {amount} matches no open invoice: it stays unapplied.",
    ),
    "duplicate": (
        "Même encaissement que {receipt} du {date}, déjà en comptabilité : rapproché, pas compté deux fois.",
        "The same money as {receipt} of {date}, already in the ledger: linked, not counted twice.",
    ),
    "payer_conflict": (
        "Le libellé cite {invoices} de {customer}, mais le compte émetteur appartient à {payer}.",
        "The remittance names {invoices} of {customer}, but the paying account belongs to {payer}.",
    ),
    "several_customers": (
        "Le libellé cite des factures de plusieurs clients ({customers}).",
        "The remittance names invoices of several customers ({customers}).",
    ),
    "unconfirmed_number": (
        "Le libellé semble citer {invoices} de {customer} ({due} dus), mais le montant de {amount}"
        " ne le solde pas et rien d'autre ne confirme le payeur.",
        "The remittance seems to name {invoices} of {customer} ({due} owed), but {amount} does not"
        " settle it and nothing else confirms the payer.",
    ),
    "same_amount": (
        "{count} factures ouvertes de {customer} font {amount} ({invoices}) : impossible de savoir laquelle"
        " est payée.",
        "{count} open invoices of {customer} are of {amount} ({invoices}): which one is paid cannot be told.",
    ),
    "several_combinations": (
        "Plusieurs ensembles de factures ouvertes de {customer} font {amount}, par exemple {invoices}.",
        "Several sets of {customer}'s open invoices add up to {amount}, for example {invoices}.",
    ),
    "name_only": (
        "Le nom du payeur correspond à {customer}, mais aucune facture ouverte ne correspond à {amount}.",
        "The payer's name matches {customer}, but no open invoice matches {amount}.",
    ),
    "close_name": (
        "Le nom du payeur « {payer} » ressemble à {customer}, sans certitude.",
        "The payer's name \u201c{payer}\u201d resembles {customer}, but not closely enough to be sure.",
    ),
    "several_payers": (
        "Le payeur peut être l'un de ces clients : {customers}.",
        "The payer could be any of these customers: {customers}.",
    ),
    "settled_already": (
        "Le libellé cite {invoices}, déjà soldée(s).",
        "The remittance names {invoices}, already settled.",
    ),
    "unknown_payer": (
        "Ni référence de créancier, ni numéro de facture connu, et le payeur « {payer} » n'est pas un"
        " client connu.",
        "No creditor reference, no known invoice number, and the payer \u201c{payer}\u201d is not a"
        " known customer.",
    ),
    "no_payer": (
        "Ni référence de créancier, ni numéro de facture connu, ni nom ou compte de payeur connu.",
        "No creditor reference, no known invoice number, and no known payer name or account.",
    ),
    "manual": (
        "Rapproché à la main par {actor}.",
        "Allocated by hand by {actor}.",
    ),
    "unallocated": ("Délettré.", "Unallocated."),
    "not_customer": (
        "Pas un encaissement client ({actor}) : {note}",
        "Not a customer receipt ({actor}): {note}",
    ),
}

LANGUAGES = ("fr", "en")


class Reason(NamedTuple):
    code: str
    values: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, code: str, **values: Value) -> Reason:
        if code not in REASONS:
            raise KeyError(code)
        return cls(code, tuple(values.items()))


def _shown(value: Value, language: str) -> str:
    if isinstance(value, Decimal):
        text = format_amount(value)
        return text.replace(".", ",") if language == "fr" else text
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def render(reason: Reason, language: str = "en") -> str:
    """The reason in ``language`` (fr or en), values formatted the way that language writes them."""
    template = REASONS[reason.code][LANGUAGES.index(language) if language in LANGUAGES else 1]
    return template.format(**{name: _shown(value, language) for name, value in reason.values})


def render_all(reasons: Sequence[Reason], language: str = "en") -> str:
    return " ".join(render(reason, language) for reason in reasons)


class Proposed(NamedTuple):
    """An allocation a suggestion proposes: what a person confirms in one click."""

    invoice_number: str
    amount: Decimal
    charge: Decimal = Decimal(0)


def _encoded(value: Value) -> Any:
    if isinstance(value, Decimal):
        return {"amount": str(value)}
    if isinstance(value, tuple):
        return list(value)
    return value


def _decoded(value: Any) -> Value:
    if isinstance(value, dict):
        return Decimal(value["amount"])
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return value if isinstance(value, int) else str(value)


def encode(reasons: Sequence[Reason], proposal: Sequence[Proposed] = ()) -> str:
    """What a bank line keeps of a decision so that any language can tell it later (JSON)."""
    if not reasons and not proposal:
        return ""
    return json.dumps(
        {
            "reasons": [[r.code, [[name, _encoded(v)] for name, v in r.values]] for r in reasons],
            "proposal": [[p.invoice_number, str(p.amount), str(p.charge)] for p in proposal],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(text: str) -> tuple[tuple[Reason, ...], tuple[Proposed, ...]]:
    """The reasons and proposal :func:`encode` stored (nothing for a line decided before codes)."""
    if not text:
        return (), ()
    data = json.loads(text)
    reasons = tuple(
        Reason(code, tuple((name, _decoded(v)) for name, v in values))
        for code, values in data.get("reasons", [])
        if code in REASONS
    )
    proposal = tuple(
        Proposed(number, Decimal(amount), Decimal(charge))
        for number, amount, charge in data.get("proposal", [])
    )
    return reasons, proposal
