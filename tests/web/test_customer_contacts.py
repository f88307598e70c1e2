"""The customer sheet shows what letters and cash application use: postal address, phone, IBAN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.web.conftest import browser_login

from encours.demo.generator import DemoLedger


def cell(html: str, cell_id: str) -> str:
    found = re.search(rf'<td id="{cell_id}">(.*?)</td>', html, re.S)
    assert found is not None, cell_id
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_sheet_shows_postal_address_phone_and_iban(ui_client: TestClient, demo_ledger: DemoLedger) -> None:
    customer = next(c for c in demo_ledger.customers if c.address_line1 and c.phone and c.iban)
    browser_login(ui_client, "collector")
    page = ui_client.get(f"/customers/{customer.customer_id}")
    assert page.status_code == 200
    address = " ".join(cell(page.text, "postal-address").split())
    assert customer.address_line1 in address and str(customer.city) in address
    assert str(customer.postal_code) in address
    assert " ".join(cell(page.text, "phone").split()) == customer.phone
    iban = cell(page.text, "iban")
    compact = customer.iban.split(";")[0].replace(" ", "")
    assert compact in iban.replace(" ", "")
    assert re.search(r"\b[A-Z]{2}\d{2} [0-9A-Z]{4} ", iban), iban  # printed in groups of four
    assert "<th>Adresse postale</th>" in page.text and "<th>Téléphone</th>" in page.text  # a French user
