"""What an importer hands to the storage pipeline: records, explicit allocations and errors."""

from __future__ import annotations

from typing import NamedTuple

from encours.domain.errors import LedgerError
from encours.domain.records import Allocation, Customer, Entry


class PaymentLink(NamedTuple):
    """A payment the file allocates to an invoice by its number (SPEC §2 ``invoice_id``)."""

    payment_key: str
    invoice_key: str
    line: int
    currency_stated: bool = True  # False: the payment takes its invoice's currency


class ParsedFile(NamedTuple):
    """One file read: its records, or only its errors (an import is all or nothing per file)."""

    file: str
    format: str
    customers: tuple[Customer, ...] = ()
    entries: tuple[Entry, ...] = ()
    allocations: tuple[Allocation, ...] = ()  # complete allocations (e.g. FEC lettering)
    payment_links: tuple[PaymentLink, ...] = ()
    errors: tuple[LedgerError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors
