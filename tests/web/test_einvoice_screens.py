"""E-invoicing statuses on screens: the customer sheet flags the invoice and shows the status in
the page's language on its timeline; a dispute opened from CDAR is on the disputes board."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.einvoicing.cdar_messages import status_xml
from tests.web.conftest import AS_OF, browser_login

from encours.einvoicing.service import StatusImport
from encours.ledger.import_service import SourceFile
from encours.ledger.models import CustomerRow, EntryRow
from encours.storage.database import get_engine, unit_of_work
from encours.web.app import create_app

CUSTOMER = "C00003"


def refuse_one_invoice(url: str) -> str:
    """Imports a 210 Refusée for the customer's first invoice; returns its number."""
    with unit_of_work(get_engine(url)) as session:
        number = session.scalars(
            select(EntryRow.reference)
            .join(CustomerRow, CustomerRow.id == EntryRow.customer_pk)
            .where(CustomerRow.customer_id == CUSTOMER, EntryRow.kind == "invoice")
            .order_by(EntryRow.date.desc())
        ).first()
        assert number is not None
        xml = status_xml(number, 210, reason_code="DOUBLON", reason="Facture déjà reçue", at="20261020100000")
        StatusImport(session).import_source(SourceFile(Path("refus.xml"), xml.encode(), "cdar"))
    return number


def test_sheet_and_disputes_board_show_the_status(own_url: str) -> None:
    number = refuse_one_invoice(own_url)
    with TestClient(create_app(own_url)) as client:
        browser_login(client, "collector")  # a French user
        sheet = client.get(f"/customers/{CUSTOMER}", params={"as_of": AS_OF})
        assert sheet.status_code == 200
        assert "Statut e-facture · 210 Refusée" in sheet.text
        assert f"{number}: DOUBLON Facture déjà reçue" in sheet.text
        assert "Refusée · hors relances" in sheet.text  # flagged among the open items
        assert "Refused" not in sheet.text and "no reminders" not in sheet.text
        board = client.get("/disputes")
        assert board.status_code == 200
        assert number in board.text and "CDAR 210 Refusée: DOUBLON Facture déjà reçue" in board.text
    with TestClient(create_app(own_url)) as client:
        browser_login(client, "sales")  # an English user
        sheet = client.get(f"/customers/{CUSTOMER}", params={"as_of": AS_OF})
        assert "E-invoice status · 210 Refused" in sheet.text
        assert "Refused · no reminders" in sheet.text
