"""ISO 11649 structured creditor references (``RF..``) that Encours prints for each invoice and customer.

A reference is derived from the id alone, so reminders, statements and the portal print the
same one and cash application reads it back without a lookup table: ``I`` + the invoice
number in capitals and digits (``RF05 IFA2 2030 1``), ``C`` + the customer id; an id that does
not fit the 21 characters ISO 11649 allows (or has none) is hashed instead (``J`` / ``D`` +
16 base-36 characters). The two check digits (python-stdnum) catch a mistyped reference.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import NamedTuple

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

BODY_MAX = 21  # ISO 11649: RF, two check digits, then up to 21 characters
_HASHED = 16
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# RF, two digits, then letters and digits possibly grouped by spaces (as printed)
_FOUND = re.compile(r"RF\s?\d\s?\d(?:\s?[0-9A-Z]){1,21}")


class Target(StrEnum):
    INVOICE = "invoice"
    CUSTOMER = "customer"


_TAGS = {Target.INVOICE: ("I", "J"), Target.CUSTOMER: ("C", "D")}
_BY_TAG = {
    tag: (target, tag == hashed) for target, (plain, hashed) in _TAGS.items() for tag in (plain, hashed)
}


class CreditorReference(NamedTuple):
    """What a reference found in a remittance designates: a plain id (compacted) or a hash of it."""

    target: Target
    body: str  # the compacted id, or the hash when ``hashed``
    hashed: bool


def compact_id(identifier: str) -> str:
    """Capitals and digits only: "FA  220301" → "FA220301" (how a reference carries an id)."""
    return _NOT_ALNUM.sub("", identifier.upper())


def _hash(identifier: str) -> str:
    number = int.from_bytes(hashlib.sha256(identifier.encode()).digest()[:12], "big")
    digits = []
    for _ in range(_HASHED):
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
    return "".join(digits)


def body_for(target: Target, identifier: str) -> str:
    """The characters after ``RFkk`` for an invoice number or customer id."""
    plain, hashed = _TAGS[target]
    compact = compact_id(identifier)
    if compact and len(compact) + 1 <= BODY_MAX:
        return plain + compact
    return hashed + _hash(identifier)


def reference_for(target: Target, identifier: str) -> str:
    """The compact reference, e.g. ``RF05IFA220301``."""
    body = body_for(target, identifier)
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def printed(reference: str) -> str:
    """Groups of four, as ISO 11649 prints it: ``RF05 IFA2 2030 1``."""
    return str(iso11649.format(reference))


def invoice_reference(invoice_number: str) -> str:
    return printed(reference_for(Target.INVOICE, invoice_number))


def customer_reference(customer_id: str) -> str:
    return printed(reference_for(Target.CUSTOMER, customer_id))


def parse(reference: str) -> CreditorReference | None:
    """The target of a valid Encours reference; None when the check digits fail or it is not ours."""
    compact = compact_id(reference)
    if not iso11649.is_valid(compact) or len(compact) < 5:
        return None
    tag, rest = compact[4], compact[5:]
    if tag not in _BY_TAG or not rest:
        return None
    target, hashed = _BY_TAG[tag]
    return CreditorReference(target, rest, hashed)


def found_in(text: str) -> list[CreditorReference]:
    """Valid references in free text; where spaces are ambiguous the longest valid reading wins."""
    found: list[CreditorReference] = []
    for match in _FOUND.finditer(text.upper()):
        compact = compact_id(match.group())
        for end in range(len(compact), 5, -1):
            parsed = parse(compact[:end])
            if parsed is not None:
                found.append(parsed)
                break
    return list(dict.fromkeys(found))


def hashed_body(target: Target, identifier: str) -> str:
    """What a hashed reference to ``identifier`` carries (to index ids too long to print plainly)."""
    return _hash(identifier) if body_for(target, identifier)[0] == _TAGS[target][1] else ""
