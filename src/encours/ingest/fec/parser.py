"""Reading a FEC into customer entries and the allocations its lettering states.

One pass over the lines validates every line (so every bad one is reported) and keeps the
customer lines plus which accounting entries touch a revenue account; entry kinds, keys,
lettering groups and allocations follow from those in linear time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from encours.domain.allocation import allocate_group
from encours.domain.errors import LedgerError
from encours.domain.plausibility import MAX_FIELD, date_problem, field_too_long, identifier_problem
from encours.domain.records import (
    CUSTOMER_ACCOUNT_PREFIXES,
    Allocation,
    Customer,
    Entry,
    EntryKind,
    SourceRef,
)
from encours.domain.terms import PaymentTerms
from encours.gc_paused import gc_paused
from encours.ingest.fec import columns as col
from encours.ingest.fec.values import ZERO, AmountParser, DateParser
from encours.ingest.parsed import ParsedFile
from encours.ingest.textfile import Line, decode, detect_separator, physical_lines

FORMAT = "fec"
DEFAULT_REVENUE_PREFIXES = ("70",)
KEY_PREFIX = "fec:"
MAX_CUSTOMER_ID = 64  # customers.customer_id
MAX_TEXT = 255

_SEPARATORS = ("\t", "|", ";")
_DEBIT_WORDS = frozenset({"d", "debit", "+", "1", "db", "dr"})
_CREDIT_WORDS = frozenset({"c", "credit", "-", "-1", "cr"})
_NO_NUMBER = frozenset({"", "0"})


class CustomerLine(NamedTuple):
    """A validated line on a customer account, before its kind and key are known."""

    line: int
    journal: str
    number: str
    entry_date_text: str
    entry_date: dt.date
    account: str
    account_label: str
    aux: str
    aux_label: str
    piece_ref: str
    piece_date: dt.date | None
    label: str
    debit: Decimal
    credit: Decimal
    letter: str


class _Scan(NamedTuple):
    """What one pass over the lines keeps."""

    customer_lines: list[CustomerLine]
    revenue_coarse: set[tuple[str, str]]
    revenue_fine: set[tuple[str, str, str, str]]
    ambiguous: set[tuple[str, str]]  # (journal, number) used by entries of several dates
    errors: list[LedgerError]


class _Balance:
    """Debits minus credits of each accounting entry (JournalCode + EcritureNum), with its lines."""

    def __init__(self) -> None:
        self.sums: dict[tuple[str, str], Decimal] = {}
        self.first_line: dict[tuple[str, str], int] = {}

    def add(self, entry: tuple[str, str], line: int, debit: Decimal, credit: Decimal) -> None:
        total = self.sums.get(entry)
        if total is None:
            self.first_line[entry] = line
            total = ZERO
        self.sums[entry] = total + debit - credit

    def errors(self, file: str, amount_field: str) -> list[LedgerError]:
        return [
            LedgerError(
                file,
                self.first_line[entry],
                amount_field,
                f"entry {entry[0]} {entry[1]!r} does not balance: debits exceed credits by {total} "
                "(SPEC §3); correct its lines or export the whole entry",
            )
            for entry, total in self.sums.items()
            if total != 0
        ]


def _split(text: str, separator: str) -> list[str]:
    fields = text.split(separator)
    if '"' in text:  # some exports quote every field
        fields = [_unquote(field) for field in fields]
    return fields


def _unquote(field: str) -> str:
    core = field.strip()
    return core[1:-1] if len(core) > 1 and core[0] == core[-1] == '"' else field


def _direction(text: str) -> int:
    stripped = text.strip()
    word = stripped if stripped in ("+", "-", "-1") else col.normalise(stripped)
    if word in _DEBIT_WORDS:
        return 1
    if word in _CREDIT_WORDS:
        return -1
    raise ValueError(f"invalid direction {text.strip()!r}, expected D or C")


def _scan(
    file: str,
    lines: Iterator[Line],
    separator: str,
    header: col.Header,
    customer_prefixes: tuple[str, ...],
    revenue_prefixes: tuple[str, ...],
) -> _Scan:
    pos = header.positions
    width = header.width
    i_journal, i_number = pos[col.JOURNAL_CODE], pos[col.ECRITURE_NUM]
    i_date, i_account = pos[col.ECRITURE_DATE], pos[col.COMPTE_NUM]
    i_account_label, i_aux, i_aux_label = pos[col.COMPTE_LIB], pos[col.COMP_AUX_NUM], pos[col.COMP_AUX_LIB]
    i_piece, i_piece_date, i_label = pos[col.PIECE_REF], pos[col.PIECE_DATE], pos[col.ECRITURE_LIB]
    i_letter = pos[col.ECRITURE_LET]
    split_amounts = header.has_debit_credit
    i_first = pos[col.DEBIT] if split_amounts else pos[col.MONTANT]
    i_second = pos[col.CREDIT] if split_amounts else pos[col.SENS]
    first_name, second_name = (col.DEBIT, col.CREDIT) if split_amounts else (col.MONTANT, col.SENS)
    # some exports drop the empty fields at the end of a line (Montantdevise, Idevise...):
    # a line may stop early as long as every column read here is present
    needed = 1 + max(
        i_journal, i_number, i_date, i_account, i_account_label, i_aux, i_aux_label,
        i_piece, i_piece_date, i_label, i_letter, i_first, i_second,
    )  # fmt: skip
    blank = " \t|;\"'"
    parse_date = DateParser()
    parse_amount = AmountParser()
    customers: list[CustomerLine] = []
    revenue_coarse: set[tuple[str, str]] = set()
    revenue_fine: set[tuple[str, str, str, str]] = set()
    first_date: dict[tuple[str, str], str] = {}
    ambiguous: set[tuple[str, str]] = set()
    errors: list[LedgerError] = []
    balance = _Balance()

    for number, text in lines:
        if not text.strip(blank):
            continue
        fields = _split(text, separator)
        count = len(fields)
        if count != width and (count < needed or any(f.strip() for f in fields[width:])):
            errors.append(LedgerError(file, number, "", f"{count} fields, header has {width}"))
            continue
        if len(text) > MAX_FIELD and _long_fields(file, number, fields, header, errors):
            continue
        bad = False
        account = fields[i_account].strip()
        if not account:
            errors.append(LedgerError(file, number, col.COMPTE_NUM, "required value is empty"))
            bad = True
        date_text = fields[i_date].strip()
        entry_date: dt.date | None = None
        if not date_text:
            errors.append(LedgerError(file, number, col.ECRITURE_DATE, "required value is empty"))
            bad = True
        else:
            try:
                entry_date = parse_date(date_text)
            except ValueError as exc:
                errors.append(LedgerError(file, number, col.ECRITURE_DATE, str(exc)))
                bad = True
        piece_text = fields[i_piece_date].strip()
        piece_date: dt.date | None = None
        if piece_text:
            try:
                piece_date = parse_date(piece_text)
            except ValueError as exc:
                errors.append(LedgerError(file, number, col.PIECE_DATE, str(exc)))
                bad = True
        debit = credit = ZERO
        try:
            first = parse_amount(fields[i_first])
        except ValueError as exc:
            errors.append(LedgerError(file, number, first_name, str(exc)))
            bad = True
            first = ZERO
        try:
            if split_amounts:
                debit, credit = first, parse_amount(fields[i_second])
            elif first == 0 and not fields[i_second].strip():
                pass  # a zero amount needs no direction
            elif _direction(fields[i_second]) > 0:
                debit = first
            else:
                credit = first
        except ValueError as exc:
            errors.append(LedgerError(file, number, second_name, str(exc)))
            bad = True
        if bad or entry_date is None:
            continue
        journal = fields[i_journal].strip()
        entry_number = fields[i_number].strip()
        coarse = (journal, entry_number)
        balance.add(coarse, number, debit, credit)
        seen = first_date.setdefault(coarse, date_text)
        if seen != date_text:
            ambiguous.add(coarse)
        if account.startswith(revenue_prefixes):
            revenue_coarse.add(coarse)
            revenue_fine.add((journal, entry_number, fields[i_piece].strip(), date_text))
        if account.startswith(customer_prefixes):
            # placeholder dates (19000101) are common on other accounts; receivables need real ones
            implausible = [
                (name, problem)
                for name, day in ((col.ECRITURE_DATE, entry_date), (col.PIECE_DATE, piece_date))
                if day is not None and (problem := date_problem(day))
            ]
            if implausible:
                errors += [LedgerError(file, number, name, problem) for name, problem in implausible]
                continue
            texts = [fields[i].strip() for i in (i_account_label, i_aux, i_aux_label, i_piece, i_label)]
            account_label, aux, aux_label, piece_ref, label = texts
            letter = fields[i_letter].strip()
            customers.append(
                CustomerLine(
                    number,
                    journal,
                    entry_number,
                    date_text,
                    entry_date,
                    account,
                    account_label,
                    aux,
                    aux_label,
                    piece_ref,
                    piece_date,
                    label,
                    debit,
                    credit,
                    letter,
                )
            )
    if not errors:  # a skipped bad line would unbalance its entry: report it alone
        errors += balance.errors(file, col.DEBIT if split_amounts else col.MONTANT)
    return _Scan(customers, revenue_coarse, revenue_fine, ambiguous, errors)


def _long_fields(
    file: str, line: int, fields: Sequence[str], header: col.Header, errors: list[LedgerError]
) -> bool:
    """Report the fields over MAX_FIELD characters of a long line; True when there is one."""
    names = {index: name for name, index in header.positions.items()}
    found = False
    for index, value in enumerate(fields):
        problem = field_too_long(value)
        if problem:
            errors.append(LedgerError(file, line, names.get(index, f"column {index + 1}"), problem))
            found = True
    return found


def _touches_revenue(line: CustomerLine, scan: _Scan) -> bool:
    """Whether the line's accounting entry has a revenue line.

    An entry is its journal and number, unless the number is missing, "0" or reused on
    several dates: then the piece reference and date tell entries apart.
    """
    coarse = (line.journal, line.number)
    if line.number in _NO_NUMBER or coarse in scan.ambiguous:
        return (line.journal, line.number, line.piece_ref, line.entry_date_text) in scan.revenue_fine
    return coarse in scan.revenue_coarse


def _entry_kind(line: CustomerLine, amount: Decimal, scan: _Scan) -> EntryKind:
    sale = _touches_revenue(line, scan)
    if amount > 0:
        return EntryKind.INVOICE if sale else EntryKind.OTHER_DEBIT
    return EntryKind.CREDIT_NOTE if sale else EntryKind.PAYMENT


def content_key(line: CustomerLine) -> str:
    """Stable across re-imports and later exports: built from the line's content, not its position.

    Exact duplicates (same content twice) are told apart by ``entry_key``'s occurrence number.
    """
    content = "\x1f".join(
        (
            line.journal, line.number, line.entry_date.isoformat(), line.account, line.aux,
            line.piece_ref, line.label, f"{line.debit:.2f}", f"{line.credit:.2f}",
        )
    )  # fmt: skip
    return KEY_PREFIX + hashlib.blake2b(content.encode("utf-8"), digest_size=12).hexdigest()


def entry_key(base: str, occurrence: int) -> str:
    return base if occurrence == 0 else f"{base}-{occurrence}"


def _customers(names: Mapping[str, str], known: Mapping[str, Customer]) -> list[Customer]:
    """New customers named from the file; a known one only gains a name it lacked."""
    result = []
    for customer_id, name in names.items():
        existing = known.get(customer_id)
        if existing is None:
            result.append(Customer(customer_id=customer_id, name=name or customer_id))
        elif name and existing.name == customer_id and name != customer_id:
            result.append(existing._replace(name=name))
    return result


def build(
    file: str, scan: _Scan, known: Mapping[str, Customer], currency: str
) -> tuple[list[Customer], list[Entry], list[Allocation], list[LedgerError]]:
    """Entries, lettering allocations and customers from a scan without errors."""
    entries: list[Entry] = []
    errors: list[LedgerError] = []
    names: dict[str, str] = {}
    aux_named: set[str] = set()
    occurrences: dict[str, int] = defaultdict(int)
    groups: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    terms_of: dict[str, PaymentTerms] = {}
    id_problems: dict[str, str] = {}  # a few thousand customers over millions of lines
    for line in scan.customer_lines:
        amount = line.debit - line.credit
        if amount == 0:
            continue
        customer_id = line.aux or line.account
        problem = id_problems.get(customer_id)
        if problem is None:
            problem = id_problems[customer_id] = identifier_problem(customer_id, MAX_CUSTOMER_ID) or ""
        if problem:
            field = col.COMP_AUX_NUM if line.aux else col.COMPTE_NUM
            errors.append(LedgerError(file, line.line, field, problem))
            continue
        # SPEC §3: name = CompAuxLib, else CompteLib; a CompAuxLib on any line beats a CompteLib
        if line.aux_label and customer_id not in aux_named:
            aux_named.add(customer_id)
            names[customer_id] = line.aux_label
        elif not names.get(customer_id):
            names[customer_id] = line.account_label
        document_date = line.piece_date or line.entry_date
        kind = _entry_kind(line, amount, scan)
        if amount > 0:
            terms = terms_of.get(customer_id)
            if terms is None:
                customer = known.get(customer_id)
                terms = terms_of[customer_id] = PaymentTerms.net(
                    customer.payment_terms_days if customer else None
                )
            due = terms.due_date(document_date)
        else:
            due = document_date
        base = content_key(line)
        occurrence = occurrences[base]
        occurrences[base] += 1
        entry = Entry(
            key=entry_key(base, occurrence),
            customer_id=customer_id,
            kind=kind,
            reference=(line.piece_ref or line.number)[:MAX_TEXT],
            date=document_date,
            due_date=due,
            amount=amount,
            currency=currency,
            label=line.label[:MAX_TEXT],
            source=SourceRef(file, line.line),
        )
        entries.append(entry)
        if line.letter:
            groups[(line.account, line.aux, line.letter)].append(entry)
    allocations = [allocation for group in groups.values() for allocation in allocate_group(group)]
    return _customers(names, known), entries, allocations, errors


def parse_fec(
    file: str,
    data: bytes,
    known: Mapping[str, Customer],
    *,
    customer_prefixes: Sequence[str] = CUSTOMER_ACCOUNT_PREFIXES,
    revenue_prefixes: Sequence[str] = DEFAULT_REVENUE_PREFIXES,
    book_currency: str = "EUR",
) -> ParsedFile:
    """Customer entries of a FEC with the allocations of its balanced lettering groups.

    Any bad line makes the whole file an error list (all or nothing per file). Customer
    accounts start with ``customer_prefixes`` (``ENCOURS_FEC_CUSTOMER_PREFIXES``, passed by
    the import command).
    """
    with gc_paused():  # millions of small acyclic tuples
        return _parse(file, data, known, customer_prefixes, revenue_prefixes, book_currency)


def _parse(
    file: str,
    data: bytes,
    known: Mapping[str, Customer],
    customer_prefixes: Sequence[str],
    revenue_prefixes: Sequence[str],
    book_currency: str,
) -> ParsedFile:
    prefixes = tuple(customer_prefixes)
    lines = physical_lines(decode(data))
    head = next((line for line in lines if line.text.strip()), None)
    if head is None:
        return ParsedFile(file, FORMAT, errors=(LedgerError(file, 1, "", "empty file"),))
    separator = detect_separator(head.text, _SEPARATORS)
    header = col.read_header(_split(head.text, separator))
    if header.missing:
        missing = [
            LedgerError(file, head.number, name, "required column is missing") for name in header.missing
        ]
        return ParsedFile(file, FORMAT, errors=tuple(missing))
    scan = _scan(file, lines, separator, header, prefixes, tuple(revenue_prefixes))
    if scan.errors:
        return ParsedFile(file, FORMAT, errors=tuple(scan.errors))
    customers, entries, allocations, errors = build(file, scan, known, book_currency.upper())
    if errors:
        return ParsedFile(file, FORMAT, errors=tuple(errors))
    return ParsedFile(
        file, FORMAT, customers=tuple(customers), entries=tuple(entries), allocations=tuple(allocations)
    )
