"""The real FEC samples (../shared/samples/fec, described in its SOURCE.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from tests.conftest import SAMPLES

from encours.domain.open_items import open_items
from encours.domain.records import EntryKind
from encours.ingest import detect
from encours.ingest.fec import parse_fec
from encours.ingest.parsed import ParsedFile

FOLDER = SAMPLES / "fec"
WITH_BOM = FOLDER / "0000000001FEC20220831.txt"
CASH_BASIS = FOLDER / "000000000FEC20231231.txt"
FAR_FUTURE = dt.date(2100, 1, 1)


def plain_rows(path: str) -> tuple[list[str], list[list[str]]]:
    """A naive reading of a well-formed sample, to check the importer against."""
    text = open(path, encoding="utf-8-sig").read()  # noqa: SIM115 - read whole
    header, *rows = [line.split("\t") for line in text.splitlines() if line.strip()]
    return header, rows


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def parse(path: str) -> ParsedFile:
    parsed = parse_fec(path, open(path, "rb").read(), {}, customer_prefixes=("411",))  # noqa: SIM115
    assert parsed.errors == ()
    return parsed


def open_keys(parsed: ParsedFile) -> set[str]:
    return {item.entry.key for item in open_items(parsed.entries, parsed.allocations, FAR_FUTURE)}


def test_sample_with_bom_and_lettering() -> None:
    data = WITH_BOM.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and detect.detect_format(data) == detect.FEC
    parsed = parse(str(WITH_BOM))
    header, rows = plain_rows(str(WITH_BOM))
    col = {name: header.index(name) for name in ("CompteNum", "CompAuxNum", "Debit", "Credit", "EcritureLet")}
    customer_rows = [row for row in rows if row[col["CompteNum"]].startswith("411")]
    lettered = [row for row in customer_rows if row[col["EcritureLet"]]]
    assert (len(customer_rows), len(lettered)) == (538, 528)  # SOURCE.md
    assert len(parsed.entries) == 538  # no zero line on 411 here
    sums: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for row in lettered:
        group = (row[col["CompteNum"]], row[col["CompAuxNum"]], row[col["EcritureLet"]])
        sums[group] += amount(row[col["Debit"]]) - amount(row[col["Credit"]])
    unbalanced = {group for group, total in sums.items() if total}
    assert len(unbalanced) == 15  # SOURCE.md: the opening balances are not lettered
    in_unbalanced = sum(
        1
        for row in lettered
        if (row[col["CompteNum"]], row[col["CompAuxNum"]], row[col["EcritureLet"]]) in unbalanced
    )
    still_open = open_keys(parsed)
    assert len(still_open) == 10 + in_unbalanced  # the 10 unlettered lines and the unbalanced groups
    balance = sum(amount(r[col["Debit"]]) - amount(r[col["Credit"]]) for r in customer_rows)
    assert sum(e.amount for e in parsed.entries if e.key in still_open) == balance
    settled = sum(a.amount for a in parsed.allocations)
    lettered_debits = sum(
        amount(r[col["Debit"]])
        for r in lettered
        if (r[col["CompteNum"]], r[col["CompAuxNum"]], r[col["EcritureLet"]]) not in unbalanced
    )
    assert settled == lettered_debits
    # customers are the auxiliary accounts, named from CompAuxLib
    names = {c.customer_id: c.name for c in parsed.customers}
    assert names["CDISCO"] == "EURO DISCOUNT FRAIS"
    assert set(names) == {row[col["CompAuxNum"]] for row in customer_rows}
    kinds = Counter(e.kind for e in parsed.entries)
    opening = [e for e in parsed.entries if e.reference == "RAN"]
    assert opening and all(e.kind in (EntryKind.OTHER_DEBIT, EntryKind.PAYMENT) for e in opening)
    assert kinds[EntryKind.INVOICE] > 300 and kinds[EntryKind.CREDIT_NOTE] > 0


def test_sample_cash_basis_with_extra_columns() -> None:
    data = CASH_BASIS.read_bytes()
    assert detect.detect_format(data) == detect.FEC
    parsed = parse(str(CASH_BASIS))
    header, rows = plain_rows(str(CASH_BASIS))
    assert len(header) == 22
    customer_rows = [row for row in rows if row[4].startswith("411")]
    assert len(customer_rows) == 153 == len(parsed.entries)
    assert parsed.allocations == ()  # nothing lettered on 411
    assert len(open_keys(parsed)) == 153
    assert sum(e.amount for e in parsed.entries) == sum(amount(r[11]) - amount(r[12]) for r in customer_rows)
    # EcritureNum is always "0": sales are told apart by journal, piece and date
    sales = [e for e in parsed.entries if e.kind is EntryKind.INVOICE]
    assert sales and all(e.label.startswith("RECETTE") for e in sales)
    assert {e.kind for e in parsed.entries if e.label == "RECETTE CB" and e.amount < 0} == {EntryKind.PAYMENT}


def test_samples_keys_are_stable_and_unique() -> None:
    for path in (WITH_BOM, CASH_BASIS):
        first, second = parse(str(path)), parse(str(path))
        keys = [e.key for e in first.entries]
        assert keys == [e.key for e in second.entries]
        assert len(set(keys)) == len(keys)
