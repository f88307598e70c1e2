"""Bad FEC lines are data: every one is reported with its physical line and field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.ingest.fec_files.synthetic import Style, base_lines, render

from encours.domain.records import Customer
from encours.ingest.fec import parse_fec
from encours.ingest.fec.values import DateParser, parse_fec_amount
from encours.settings import get_settings

HEADER = (
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\t"
    "PieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise"
)


def line(
    account: str = "411000", date: str = "20230110", debit: str = "10,00", credit: str = "0,00", **extra: str
) -> str:
    fields = ["VE", "Ventes", "1", date, account, "Clients", "C1", "Client Un", "F1", "", "Facture",
              debit, credit, "", "", "", "", ""]  # fmt: skip
    return "\t".join(fields) + extra.get("tail", "")


def counterpart(customer_line: str, separator: str = "\t") -> str:
    """The revenue line that balances ``customer_line``'s entry (SPEC §3: entries balance)."""
    fields = customer_line.split(separator)
    fields[4:8] = ["706000", "Ventes", "", ""]
    if fields[12] in ("D", "C"):  # Montant + Sens
        fields[12] = "C" if fields[12] == "D" else "D"
    else:
        fields[11], fields[12] = fields[12], fields[11]
    return separator.join(fields)


def errors_of(text: str) -> list[tuple[int, str]]:
    parsed = parse_fec("bad.txt", text.encode(), {}, customer_prefixes=("411",))
    assert parsed.entries == () and parsed.customers == () and parsed.allocations == ()
    assert all(error.file == "bad.txt" for error in parsed.errors)
    return [(error.line, error.field) for error in parsed.errors]


def test_every_bad_line_is_reported_with_its_physical_line() -> None:
    text = "\r\r\n".join(
        [
            HEADER,
            line(),
            line(date="20231345"),  # 3
            "",  # 4: blank, skipped but counted
            line(debit="12,3x"),  # 5
            line(account=""),  # 6
            line(credit="1.234.56,7.8"),  # 7
            line(tail="\tsurplus"),  # 8: more fields than the header
            "\t".join(line().split("\t")[:10]),  # 9: fewer
            line(date="2023-02-30"),  # 10
            line(account="706000", debit="abc"),  # 11: non-customer lines are checked too
        ]
    )
    assert errors_of(text) == [
        (3, "EcritureDate"),
        (5, "Debit"),
        (6, "CompteNum"),
        (7, "Credit"),
        (8, ""),
        (9, ""),
        (10, "EcritureDate"),
        (11, "Debit"),
    ]


def test_empty_trailing_fields_beyond_the_header_are_a_trailing_separator() -> None:
    text = HEADER + "\n" + line(tail="\t\t") + "\n" + counterpart(line()) + "\n"
    parsed = parse_fec("ok.txt", text.encode(), {})
    assert parsed.errors == () and len(parsed.entries) == 1


def test_bad_piece_date_and_direction() -> None:
    header = HEADER.replace("Debit\tCredit", "Montant\tSens")
    good = line(debit="10,00", credit="D")
    bad_sens = line(debit="10,00", credit="X")
    bad_piece = good.replace("\tF1\t\t", "\tF1\t31/02/2023\t")
    no_sens = line(debit="5,00", credit="")
    assert errors_of("\n".join([header, good, bad_sens, bad_piece, no_sens])) == [
        (3, "Sens"),
        (4, "PieceDate"),
        (5, "Sens"),
    ]
    zero_without_sens = line(debit="0,00", credit=" ")
    text = "\n".join([header, good, counterpart(good), zero_without_sens])
    assert parse_fec("z.txt", text.encode(), {}).errors == ()


def test_missing_header_columns_are_named() -> None:
    text = HEADER.replace("\tCompteNum", "").replace("\tCredit", "") + "\n" + line()
    assert errors_of(text) == [(1, "CompteNum"), (1, "Credit")]


def test_montant_without_sens_is_named() -> None:
    text = HEADER.replace("Debit\tCredit", "Montant\tDevise2") + "\n"
    assert errors_of(text) == [(1, "Sens")]


def test_empty_file_is_an_error() -> None:
    assert errors_of("\n\n") == [(1, "")]


def test_customer_id_too_long_for_storage() -> None:
    text = HEADER + "\n" + line().replace("\tC1\t", "\t" + "C" * 65 + "\t") + "\n" + counterpart(line())
    assert errors_of(text) == [(2, "CompAuxNum")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0000000074,70", "74.70"),
        ("  74.70 ", "74.70"),
        ("1 234 567,89", "1234567.89"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("-12,5", "-12.5"),
        ("12,50-", "-12.50"),
        ("+3", "3"),
        ("", "0"),
        (",5", "0.5"),
        ("74,700", "74.70"),
    ],
)
def test_amount_styles(text: str, expected: str) -> None:
    assert parse_fec_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "12,345,67", "1.2.3,4,5", "12,345", "--1", "1e5", "NaN", "1,2.3"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_fec_amount(text)


BAD_DATES = ["20230132", "2023-13-01", "31/02/2023", "2023011", "abcdefgh", "2023/01/01"]


@pytest.mark.parametrize("text", BAD_DATES)
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        DateParser()(text)


@pytest.mark.parametrize(
    ("sens", "debit"),
    [
        (" D ", True),
        ("c", False),
        (" + ", True),
        ("- ", False),
        ("-1", False),
        ("1", True),
        ("Crédit", False),
    ],
)
def test_direction_words(sens: str, debit: bool) -> None:
    header = HEADER.replace("Debit\tCredit", "Montant\tSens")
    same = "D" if debit else "C"  # counterpart() turns it around
    balancing = counterpart(line(debit="10,00", credit=same))
    text = f"{header}\n{line(debit='10,00', credit=sens)}\n{balancing}\n"
    parsed = parse_fec("s.txt", text.encode(), {})
    assert [e.amount for e in parsed.entries] == [Decimal(10) if debit else Decimal(-10)]


def test_date_layouts() -> None:
    parse = DateParser()
    day = dt.date(2023, 1, 31)
    assert parse("20230131") == parse("2023-01-31") == parse("31/01/2023") == parse("31.01.2023") == day


def test_known_customers_terms_and_names() -> None:
    known = {
        "CDUPONT": Customer("CDUPONT", "Dupont (from the customer file)", payment_terms_days=45),
        "CMARTIN": Customer("CMARTIN", "CMARTIN", payment_terms_days=10),
    }
    parsed = parse_fec("f.txt", render(base_lines()), known)
    by_ref = {e.reference: e for e in parsed.entries}
    assert by_ref["F001"].due_date == dt.date(2023, 1, 9) + dt.timedelta(days=45)
    assert by_ref["F002"].due_date == dt.date(2023, 2, 15) + dt.timedelta(days=10)
    assert by_ref["F003"].due_date == dt.date(2023, 3, 20) + dt.timedelta(days=30)
    customers = {c.customer_id: c for c in parsed.customers}
    assert "CDUPONT" not in customers  # a known name is kept
    assert customers["CMARTIN"] == known["CMARTIN"]._replace(name="Martin & Fils")  # named at last
    assert customers["411200"].name == "Client Écho"


def test_customer_prefixes_parameter_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    data = render(base_lines())
    assert {e.customer_id for e in parse_fec("f.txt", data, {}).entries} == {"CDUPONT", "CMARTIN", "411200"}
    only_4112 = parse_fec("f.txt", data, {}, customer_prefixes=("4112",))
    assert {e.customer_id for e in only_4112.entries} == {"411200"}
    monkeypatch.setenv("ENCOURS_FEC_CUSTOMER_PREFIXES", " 4112 , 512")
    from_env = parse_fec("f.txt", data, {}, customer_prefixes=get_settings().fec_customer_prefixes)
    assert {e.customer_id for e in from_env.entries} == {"411200", "512000"}


def test_book_currency_parameter() -> None:
    parsed = parse_fec("f.txt", render(base_lines(), Style()), {}, book_currency="chf")
    assert {e.currency for e in parsed.entries} == {"CHF"}
