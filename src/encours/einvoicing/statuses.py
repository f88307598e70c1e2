"""Invoice lifecycle statuses (AFNOR XP Z12-012, SPEC §11) and what each means for receivables.

Pure rules: a code's French and English label, its effect on the invoice (a dispute, out of
dunning, an expected payment, a timeline entry), and the invoice's standing after a sequence of
statuses. 213 Rejetée and 220 Annulée are final (the invoice was never legally issued); a
210 Refusée is lifted by a later 205/206 Approuvée; 225/226 Affacturée by a later 228 Non
affacturée.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

LABELS: dict[int, tuple[str, str]] = {
    200: ("Déposée", "Submitted"),
    201: ("Émise par la plateforme", "Issued by the platform"),
    202: ("Reçue par la plateforme", "Received by the platform"),
    203: ("Mise à disposition", "Made available"),
    204: ("Prise en charge", "In hand"),
    205: ("Approuvée", "Approved"),
    206: ("Approuvée partiellement", "Partially approved"),
    207: ("En litige", "Disputed"),
    208: ("Suspendue", "Suspended"),
    209: ("Complétée", "Completed"),
    210: ("Refusée", "Refused"),
    211: ("Paiement transmis", "Payment sent"),
    212: ("Encaissée", "Payment received"),
    213: ("Rejetée", "Rejected"),
    214: ("Visée", "Endorsed"),
    220: ("Annulée", "Cancelled"),
    221: ("Erreur de routage", "Routing error"),
    224: ("Demande de paiement direct", "Direct payment requested"),
    225: ("Affacturée", "Factored"),
    226: ("Affacturée confidentiel", "Factored (confidential)"),
    227: ("Changement de compte à payer", "Change of account to pay"),
    228: ("Non affacturée", "Not factored"),
    501: ("Irrecevable", "Inadmissible"),
}
COLLECTED = 212  # the status the seller reports itself (``encours einvoice statuses``)


class Effect(StrEnum):
    """What a status does to the invoice, beyond being on the customer's timeline."""

    TIMELINE = "timeline"
    DISPUTE = "dispute"  # 207, 208: a dispute opens (reason from the message)
    REFUSED = "refused"  # 210: a dispute opens and the invoice leaves dunning
    NOT_ISSUED = "not_issued"  # 213, 220: never legally issued, out of dunning for good
    EXPECTED_PAYMENT = "expected_payment"  # 211: the buyer says the money is on its way
    FACTORED = "factored"  # 225, 226: the factor collects, out of dunning
    UNFACTORED = "unfactored"  # 228: back to the seller
    APPROVED = "approved"  # 205, 206: lifts a refusal


EFFECTS: dict[int, Effect] = {
    205: Effect.APPROVED,
    206: Effect.APPROVED,
    207: Effect.DISPUTE,
    208: Effect.DISPUTE,
    210: Effect.REFUSED,
    211: Effect.EXPECTED_PAYMENT,
    213: Effect.NOT_ISSUED,
    220: Effect.NOT_ISSUED,
    225: Effect.FACTORED,
    226: Effect.FACTORED,
    228: Effect.UNFACTORED,
}
OPENS_DISPUTE = frozenset({Effect.DISPUTE, Effect.REFUSED})


class Standing(StrEnum):
    """Why an invoice is out of dunning because of its lifecycle (None: it is not)."""

    NOT_ISSUED = "not_issued"
    REFUSED = "refused"
    FACTORED = "factored"


def label(code: int, language: str = "fr", stated: str = "") -> str:
    """The code's label in ``language``; an unlisted code keeps the label its message gave."""
    pair = LABELS.get(code)
    if pair is None:
        return stated.replace("_", " ").strip() or str(code)
    return pair[0] if language == "fr" else pair[1]


def effect(code: int) -> Effect:
    return EFFECTS.get(code, Effect.TIMELINE)


def standing(statuses: Iterable[tuple[dt.datetime, int]]) -> Standing | None:
    """The invoice's standing after its statuses (at, code), applied in time order."""
    not_issued = refused = factored = False
    for _, code in sorted(statuses):
        found = effect(code)
        not_issued = not_issued or found is Effect.NOT_ISSUED
        if found is Effect.REFUSED:
            refused = True
        elif found is Effect.APPROVED:
            refused = False
        elif found is Effect.FACTORED:
            factored = True
        elif found is Effect.UNFACTORED:
            factored = False
    if not_issued:
        return Standing.NOT_ISSUED
    if refused:
        return Standing.REFUSED
    return Standing.FACTORED if factored else None
