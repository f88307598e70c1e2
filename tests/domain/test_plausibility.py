"""SPEC §2's implausible values, rule by rule, as pure functions returning the problem in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from encours.domain import plausibility as p
from encours.domain.records import Entry, EntryKind, SourceRef


def test_amounts_below_a_trillion_in_whole_cents() -> None:
    assert p.amount_problem(Decimal("999999999999.99")) is None
    assert "implausible" in (p.amount_problem(Decimal(10) ** 12) or "")
    assert "implausible" in (p.amount_problem(Decimal("-1e12")) or "")
    assert "2 decimals" in (p.amount_problem(Decimal("1.005")) or "")
    assert p.amount_problem(Decimal("NaN")) is not None


@pytest.mark.parametrize("text", ["1e15", "1E400", "NaN", "Infinity", "-inf", "0x10", "1_000", "12.3.4"])
def test_amount_text_is_a_plain_decimal(text: str) -> None:
    assert p.amount_text_problem(text) is not None


def test_amount_text_digits_are_counted_before_any_conversion() -> None:
    assert p.amount_text_problem("000000000074,70") is None  # zero-padded FEC amounts
    assert "implausible" in (p.amount_text_problem("99999999999999999999.99") or "")


def test_dates_between_1990_and_2100() -> None:
    assert p.date_problem(dt.date(1990, 1, 1)) is None and p.date_problem(dt.date(2100, 12, 31)) is None
    for day in (dt.date(1989, 12, 31), dt.date(1900, 1, 1), dt.date(2999, 1, 1), dt.date(9999, 12, 31)):
        assert "implausible" in (p.date_problem(day) or "")


def test_due_date_not_before_issue() -> None:
    assert p.due_date_problem(dt.date(2026, 1, 2), dt.date(2026, 1, 2)) is None
    assert "before the issue date" in (p.due_date_problem(dt.date(2026, 1, 2), dt.date(2026, 1, 1)) or "")


def test_currencies_are_iso_4217() -> None:
    assert p.currency_problem("EUR") is None and p.currency_problem("CHF") is None
    assert p.currency_problem("XYZ") is not None and p.currency_problem("eur") is not None


@pytest.mark.parametrize(
    "text",
    ["C\u200b1", "\ufeffC1", "C1\u200e", "C\u202e1", "C\x001", "C\t1", " C1", "C1 ", "C\u00a01", "Ce\u0301"],
)
def test_identifiers_with_invisible_characters_or_surrounding_spaces(text: str) -> None:
    assert p.identifier_problem(text) is not None


def test_plain_identifiers_pass() -> None:
    assert p.identifier_problem("C 001-Électricité/2026") is None
    assert p.identifier_problem("C" * 65) is not None


def test_text_length_and_control_characters() -> None:
    assert p.text_problem("Dupont\nSARL", 255) is None
    assert p.text_problem("x" * 256, 255) is not None and p.text_problem("a\x00b", 255) is not None


def entry(**changes: object) -> Entry:
    base = Entry("doc:F1", "C1", EntryKind.INVOICE, "F1", dt.date(2026, 1, 1), dt.date(2026, 1, 31),
                 Decimal("10.00"), source=SourceRef("f.csv", 2))  # fmt: skip
    return base._replace(**changes)


def test_record_errors_name_file_line_and_field() -> None:
    errors = p.record_errors([], [entry(currency="XYZ", due_date=dt.date(2025, 12, 1))], {"customer_id": 64})
    assert [(e.file, e.line, e.field) for e in errors] == [("f.csv", 2, "currency"), ("f.csv", 2, "due_date")]


def test_a_reimport_may_not_move_a_document_to_another_customer() -> None:
    moved = p.moved_documents([entry(customer_id="C2")], {"doc:F1": "C1"})
    assert [(e.line, e.field) for e in moved] == [(2, "customer_id")] and "'C1'" in moved[0].message
    assert p.moved_documents([entry()], {"doc:F1": "C1"}) == []
    payment = entry(key="pay:P1", kind=EntryKind.PAYMENT, amount=Decimal("-10.00"), customer_id="C2")
    assert p.moved_documents([payment], {"pay:P1": "UNIDENTIFIED"}) == []  # a receipt once identified
