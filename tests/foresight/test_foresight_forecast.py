"""13-week cash-in forecast: per-invoice amounts within open amounts, ordered bands, CLI shapes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np
from tests.conftest import invoke
from tests.foresight.conftest import FAST
from typer.testing import CliRunner

from encours.foresight.features import Pairs, feature_matrix
from encours.foresight.forecast import WEEKS, cash_forecast
from encours.foresight.history import day_number, open_cents
from encours.foresight.model import PaymentModel
from encours.foresight.service import Ledger

AS_OF = dt.date(2013, 9, 30)


def test_forecast_amounts_and_bands(ar: Ledger) -> None:
    h, a = ar.history, ar.allocations
    day = day_number(AS_OF)
    model = PaymentModel.train(h, feature_matrix(Pairs.at_issue(h), h), day + 1, FAST)
    forecast = cash_forecast(model, h, a, day)
    inv = forecast.invoices
    expected_open = open_cents(h, a, day)
    open_now = (h.issue <= day) & (expected_open > 0)
    assert inv.history.size == int(open_now.sum()) > 0
    assert (inv.history.due < day).any()  # overdue invoices are forecast too
    assert np.all(inv.weekly_cents >= 0)
    assert np.all(inv.weekly_cents.sum(axis=1) <= inv.open_cents)
    assert np.all(inv.expected_day > day) and np.all(inv.p10_day <= inv.p90_day)
    assert np.all((inv.p_late >= 0) & (inv.p_late <= 1))
    assert np.all(inv.p_late[inv.history.due < day] == 1.0)  # already late
    total = forecast.total
    assert total.expected.shape == (WEEKS,)
    assert np.all(total.p10 <= total.p90)
    assert total.expected.sum() <= inv.open_cents.sum()
    by_customer = sum(band.expected for band in forecast.customers.values())
    assert np.array_equal(by_customer, total.expected)
    for band in forecast.customers.values():
        assert np.all(band.p10 <= band.p90)
    again = cash_forecast(model, h, a, day)
    assert np.array_equal(again.total.p10, total.p10) and np.array_equal(again.total.p90, total.p90)


def test_forecast_cli_json_and_csv(cli: CliRunner, ar_url: str) -> None:
    code, out, err = invoke(cli, "forecast", "--as-of", AS_OF.isoformat(), "--format", "json", "--db", ar_url)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["as_of"] == AS_OF.isoformat() and payload["currency"] == "EUR"
    assert len(payload["weeks"]) == WEEKS
    assert payload["weeks"][0]["start"] == "2013-10-01" and payload["weeks"][0]["end"] == "2013-10-07"
    for week in payload["weeks"]:
        assert float(week["p10"]) <= float(week["p90"])
    invoices = payload["invoices"]
    assert set(invoices[0]) == {
        "invoice_id", "customer_id", "open_amount", "due_date", "expected_payment_date",
        "p10", "p90", "p_late",
    }  # fmt: skip
    total_open = sum(float(i["open_amount"]) for i in invoices)
    assert sum(float(w["expected"]) for w in payload["weeks"]) <= total_open + 0.001
    assert {c["customer_id"] for c in payload["customers"]} == {i["customer_id"] for i in invoices}
    code, again, _ = invoke(cli, "forecast", "--as-of", AS_OF.isoformat(), "--format", "json", "--db", ar_url)
    assert again == out  # deterministic bytes (the stored model is reused)
    code, text, err = invoke(cli, "forecast", "--as-of", AS_OF.isoformat(), "--format", "csv", "--db", ar_url)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["invoice_id", "customer_id", "open_amount", "due_date", "expected_payment_date", "p10",
                       "p90", "p_late"]  # fmt: skip
    assert len(rows) - 1 == len(invoices)


def test_forecast_bad_input_exits_2(cli: CliRunner, ar_url: str) -> None:
    code, _, err = invoke(cli, "forecast", "--as-of", "30/09/2013", "--db", ar_url)
    assert code == 2 and "--as-of" in err
    code, _, _ = invoke(cli, "forecast", "--as-of", "2013-09-30", "--format", "table", "--db", ar_url)
    assert code == 2
