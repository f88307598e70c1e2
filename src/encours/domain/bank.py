"""Bank transactions as the bank reports them: what kind they are, and when two are the same.

A statement line is the bank's record, not a receivable: only a matched customer credit
becomes a ledger payment (SPEC §10). Pure rules: account identifiers, the fingerprint that
makes a transaction the same whatever statement or format it came from, balances.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

PAYMENT_KEY_PREFIX = "bank:"  # a ledger payment made from a matched bank credit: "bank:<id>"


class TransactionKind(StrEnum):
    """What a line is to receivables; only ``customer_credit`` may become a customer's payment."""

    CUSTOMER_CREDIT = "customer_credit"  # a candidate: money in that may be a customer's
    DEBIT = "debit"
    INTEREST = "interest"
    REFUND = "refund"  # a supplier's or the bank's money back, a reversed debit
    OWN_TRANSFER = "own_transfer"  # between two accounts of the company
    OTHER = "other"  # money in that is surely no customer's (card settlement, loan, FX...)


class TransactionStatus(StrEnum):
    UNMATCHED = "unmatched"
    MATCHED = "matched"  # linked to the ledger payment made for it
    SUGGESTED = "suggested"  # a match waiting for a person
    DUPLICATE = "duplicate"  # the same money as a receipt already in the ledger (linked to it)
    IGNORED = "ignored"


def payment_key(transaction_id: int) -> str:
    """The ledger key of the payment a matched bank credit becomes."""
    return f"{PAYMENT_KEY_PREFIX}{transaction_id}"


# -- accounts ---------------------------------------------------------------------------------

_RIB_LETTERS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")


def _iban_ok(text: str) -> bool:
    """ISO 13616 check digits (mod 97 = 1)."""
    if not _IBAN.fullmatch(text):
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def french_iban(bank: str, branch: str, account: str) -> str | None:
    """The IBAN of a French RIB (bank 5 digits, branch 5 digits, account 11 characters)."""
    if not (re.fullmatch(r"\d{5}", bank) and re.fullmatch(r"\d{5}", branch)):
        return None
    if not re.fullmatch(r"[0-9A-Z]{11}", account):
        return None
    numeric = int(account.translate(_RIB_LETTERS))
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * numeric) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "FR00")
    return f"FR{98 - int(digits) % 97:02d}{bban}"


def normal_account(raw: str) -> str:
    """One identifier per account whatever the format: its IBAN when it can be known.

    camt gives the IBAN; MT940 ``:25:`` an IBAN or ``BIC/number``; CFONB and French OFX the
    RIB's bank, branch and account numbers (21 characters), turned into the IBAN.
    """
    text = re.sub(r"[\s\-.]", "", raw).upper()
    for part in (text, *text.split("/")[1:]):
        if _iban_ok(part):
            return part
    if len(text) in (21, 23):  # a RIB without or with its key
        found = french_iban(text[:5], text[5:10], text[10:21])
        if found is not None and (len(text) == 21 or found[-2:] == text[21:]):
            return found
    return text


def normal_iban(raw: str) -> str:
    """A counterpart's IBAN in compact form, or "" when it has not an IBAN's shape.

    The check digits are not required: statements carry what the payer's bank sent, and
    an account is the same account whatever its digits (own transfers compare them as text).
    """
    text = re.sub(r"\s", "", raw).upper()
    return text if _IBAN.fullmatch(text) else ""


# -- references and fingerprints --------------------------------------------------------------

_NO_REFERENCE = {"", "NOTPROVIDED", "NONREF", "NONE", "-"}


def normal_reference(raw: str) -> str:
    """A reference compared across formats: case, spaces and punctuation ignored; "" if none."""
    folded = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode().upper()
    squeezed = re.sub(r"[^A-Z0-9]", "", folded)
    return "" if squeezed in _NO_REFERENCE else squeezed


class SameDayKey(NamedTuple):
    """What two formats of one account always agree on about a transaction."""

    account: str
    booking_date: dt.date
    amount_cents: int  # signed: credits positive
    currency: str


def fingerprint(key: SameDayKey, occurrence: int) -> str:
    """Unique per transaction: its same-day key and its rank among identical lines (1, 2...).

    References are left out on purpose: each format carries different ones (camt's
    AcctSvcrRef, MT940's ``//`` reference, OFX's FITID are the bank's, made per export);
    they only decide which stored line an incoming one is (``pair_with_known``).
    """
    text = f"{key.account}|{key.booking_date.isoformat()}|{key.amount_cents}|{key.currency}|{occurrence}"
    return hashlib.sha256(text.encode()).hexdigest()


class Known(NamedTuple):
    """A line of a same-day group as pairing compares it (references normalised)."""

    occurrence: int  # its rank once stored; 0 for an incoming line
    format_family: str  # "camt", "mt940", "ofx", "cfonb120": bank references compare within one
    end_to_end_id: str  # set by the payer: the same in every format
    bank_reference: str
    payer_iban: str

    def same_as(self, other: Known) -> bool:
        """Surely the same transaction: one end-to-end id, or one bank reference in one format."""
        if self.end_to_end_id and self.end_to_end_id == other.end_to_end_id:
            return True
        same_format = self.format_family == other.format_family
        return same_format and bool(self.bank_reference) and self.bank_reference == other.bank_reference

    def contradicts(self, other: Known) -> bool:
        """Surely two transactions: different payer IBANs, end-to-end ids or same-format references."""

        def differ(a: str, b: str) -> bool:
            return bool(a and b and a != b)

        def other_id(a: str, b: str) -> bool:
            """Two end-to-end ids; across formats one may be cut short (MT940's 16-character fields)."""
            return differ(a, b) and (same_format or not (a.startswith(b) or b.startswith(a)))

        same_format = self.format_family == other.format_family
        return (
            other_id(self.end_to_end_id, other.end_to_end_id)
            or differ(self.payer_iban, other.payer_iban)
            or (same_format and differ(self.bank_reference, other.bank_reference))
        )


def pair_with_known(incoming: Sequence[Known], stored: Sequence[Known]) -> list[int | None]:
    """For each incoming line of one same-day group (file order), the occurrence of the stored
    line it is, or None when it is new.

    A line is the stored one it is surely the same as (and does not contradict); else the first
    free stored line it does not contradict (two formats of one statement list a day's lines in one order).
    """
    free = list(stored)
    found: list[int | None] = []
    for line in incoming:
        same = next((s for s in free if line.same_as(s) and not line.contradicts(s)), None)
        if same is None:
            same = next((s for s in free if not line.contradicts(s)), None)
        if same is not None:
            free.remove(same)
        found.append(None if same is None else same.occurrence)
    return found


# -- classification and balances --------------------------------------------------------------


def with_own_transfers(kind: TransactionKind, payer_iban: str, own: Iterable[str]) -> TransactionKind:
    """Money in or out whose counterpart is one of the company's own accounts is internal."""
    movable = kind in (TransactionKind.CUSTOMER_CREDIT, TransactionKind.DEBIT)
    return TransactionKind.OWN_TRANSFER if movable and payer_iban and payer_iban in set(own) else kind


def balance_problem(opening: Decimal, movements: Decimal, closing: Decimal) -> str | None:
    """Opening + movements = closing, or the sentence saying by how much it does not."""
    if opening + movements == closing:
        return None
    return (
        f"closing balance {closing} differs from opening balance {opening} + movements {movements}"
        f" = {opening + movements}"
    )
