"""Reading who paid and for what from a bank transfer's remittance information.

Pure rules, no I/O: the importers extract candidate invoice numbers and compare debtor names
with the known customers; the service looks the candidates up in the ledger. Nothing here
allocates anything: a payment found to name an invoice stays unapplied (SPEC §2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from encours.domain.records import Customer, Entry, EntryKind

# a token that may be a document number: letters, digits and inner separators, with a digit
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_./\-]*[A-Za-z0-9])?")
_INNER = re.compile(r"[_./\-]")
MIN_CANDIDATE = 4  # shorter tokens ("01", "123") match too many numbers by chance

_LEGAL_FORMS = frozenset(
    {"sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "scop", "gmbh", "ag", "bv", "nv"}
    | {"ltd", "llc", "inc", "plc", "spa", "srl", "sl", "cie", "co", "et"}
)


def invoice_candidates(text: str) -> list[str]:
    """Tokens of ``text`` that could be invoice numbers, in order of appearance, without repeats.

    A token must hold a digit and have at least ``MIN_CANDIDATE`` characters. Its parts around
    ``-``, ``/``, ``.`` and ``_`` are candidates too ("FACT-F2024-001" may name "F2024-001"),
    and so is the upper-case spelling, because banks often upper-case the whole text.
    """
    found: dict[str, None] = {}

    def add(token: str) -> None:
        if len(token) >= MIN_CANDIDATE and any(ch.isdigit() for ch in token):
            found.setdefault(token, None)
            found.setdefault(token.upper(), None)

    for match in _TOKEN.finditer(text):
        token = match.group()
        cuts = [m.start() for m in _INNER.finditer(token)]
        starts, ends = [0, *(cut + 1 for cut in cuts)], [*cuts, len(token)]
        for start in starts:
            for end in ends:
                if end > start:
                    add(token[start:end])
    return list(found)


def normalise_name(name: str) -> str:
    """Casefolded, accent-free words without punctuation or legal forms ("S.A.R.L.", "GmbH")."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = [w for w in re.split(r"[^0-9a-z]+", plain.replace(".", "")) if w]  # s.a.r.l. -> sarl
    kept = [w for w in words if w not in _LEGAL_FORMS]
    return " ".join(kept or words)


def compact_identifier(number: str) -> str:
    """A VAT number or SIREN without spaces, dots or dashes, upper-cased, for comparison."""
    return re.sub(r"[\s.\-]", "", number).upper()


class PayerIndex:
    """Known customers by normalised name and by VAT number / SIREN, built once per file."""

    def __init__(self, customers: Iterable[Customer]) -> None:
        self.by_name: dict[str, set[str]] = {}
        self.identifiers: list[tuple[str, str]] = []
        for customer in customers:
            name = normalise_name(customer.name)
            if name:
                self.by_name.setdefault(name, set()).add(customer.customer_id)
            for number in (customer.vat_number, customer.siren):
                if number and len(compact_identifier(number)) >= 9:
                    self.identifiers.append((compact_identifier(number), customer.customer_id))

    def named(self, name: str) -> str | None:
        """The one customer whose normalised name equals ``name``'s; None when none or several."""
        ids = self.by_name.get(normalise_name(name), set())
        return next(iter(ids)) if len(ids) == 1 else None

    def quoted(self, text: str) -> str | None:
        """The one customer whose VAT number or SIREN appears in ``text`` (spaces ignored)."""
        compact = compact_identifier(text)
        ids = {customer_id for number, customer_id in self.identifiers if number in compact}
        return ids.pop() if len(ids) == 1 else None

    def payer(self, debtor_name: str, remittance: str) -> str | None:
        """The customer a transfer comes from, by debtor name, then by an identifier it quotes."""
        return self.named(debtor_name) or self.quoted(f"{debtor_name} {remittance}")


def customer_by_name(name: str, customers: Iterable[Customer]) -> str | None:
    return PayerIndex(customers).named(name)


def customer_by_identifier(text: str, customers: Iterable[Customer]) -> str | None:
    return PayerIndex(customers).quoted(text)


def payer_from_invoices(
    candidates: Iterable[str], invoices: Mapping[str, Sequence[Entry]]
) -> tuple[str, tuple[str, ...]] | None:
    """The customer whose invoices a remittance names, with those invoice numbers.

    ``invoices`` maps known invoice numbers to their ledger entries (a number may be shared by
    several entries, e.g. an invoice split over accounting lines). None when the text names no
    known invoice, or invoices of several customers: a person must then decide.
    """
    named = [
        number
        for number in dict.fromkeys(candidates)
        if any(entry.kind is EntryKind.INVOICE for entry in invoices.get(number, ()))
    ]
    customers = {
        entry.customer_id for number in named for entry in invoices[number] if entry.kind is EntryKind.INVOICE
    }
    if len(customers) != 1:
        return None
    return customers.pop(), tuple(named)
