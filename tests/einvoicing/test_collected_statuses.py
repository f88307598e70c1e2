"""`encours einvoice statuses` (SPEC §11): one 212 Encaissée per payment applied to an invoice,
valid against the CDAR D22B XSD, written once unless --again, what was written recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from tests.conftest import SAMPLES, invoke, query
from tests.einvoicing.conftest import ok
from typer.testing import CliRunner

from encours.ingest.einvoice.cdar import parse_cdar

SHARED_XSD = SAMPLES / "cdar-xsd" / "CrossDomainAcknowledgementAndResponse_100pD22B.xsd"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def company(data_dir: Path, siren: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "company.toml").write_text(
        f'name = "Vendeur SAS"\nsiren = "{siren}"\nvat_rate_on_receipt = 10\n'
    )


def statuses(cli: CliRunner, url: str, out: Path, *more: str) -> list[dict[str, object]]:
    args = ("einvoice", "statuses", "--since", "2026-03-01", "--out", str(out), "--format", "json")
    return list(json.loads(ok(cli, *args, *more, "--db", url)))


def test_one_valid_212_per_applied_payment(cli: CliRunner, tmp_path: Path, ledger: str) -> None:
    company(tmp_path / "encours-data", "100000009")
    out = tmp_path / "cdar-out"
    results = statuses(cli, ledger, out)
    # P0 (2026-01-15) is before --since; GAMMA has no SIREN
    assert [(r["invoice"], r["payment"], r["amount"], r["status"]) for r in results] == [
        ("F205", "P1", "600.00", "written"),
        ("G1", "P3", "200.00", "skipped"),
        ("F211", "P2", "1700.00", "written"),
    ]
    assert results[1]["reason"] == "the customer has no SIREN"
    files = sorted(out.iterdir())
    assert len(files) == 2
    schema = etree.XMLSchema(etree.parse(str(SHARED_XSD)))  # the official copy, not the shipped one
    for path in files:
        document = etree.parse(str(path))
        assert schema.validate(document), schema.error_log
    document = etree.parse(str(next(p for p in files if p.name.startswith("F205"))))

    def text(path: str) -> list[str]:
        return [str(node.text) for node in document.xpath(path, namespaces=NS)]

    root = "/rsm:CrossDomainAcknowledgementAndResponse"
    ref = f"{root}/rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument"
    assert text(f"{ref}/ram:IssuerAssignedID") == ["F205"]
    assert text(f"{ref}/ram:ProcessConditionCode") == ["212"]
    assert text(f"{ref}/ram:FormattedIssueDateTime/*") == ["20260107"]
    assert text(f"{ref}/ram:IssuerTradeParty/ram:GlobalID") == ["100000009"]
    characteristic = f"{ref}/ram:SpecifiedDocumentStatus/ram:SpecifiedDocumentCharacteristic"
    assert text(f"{characteristic}/ram:TypeCode") == ["MEN"]
    assert text(f"{characteristic}/ram:ValueAmount") == ["600.00"]
    assert text(f"{characteristic}/ram:ValuePercent") == ["10.00"]
    header = f"{root}/rsm:ExchangedDocument"
    assert text(f"{header}/ram:RecipientTradeParty/ram:GlobalID") == ["552100554"]
    # our own reader reads it back as the status it states
    [status] = parse_cdar("f", next(p for p in files if p.name.startswith("F205")).read_bytes()).statuses
    assert (status.invoice_number, status.code, str(status.amount), status.buyer_ids) == (
        "F205", 212, "600.00", ("552100554",),
    )  # fmt: skip
    assert query(ledger, "SELECT COUNT(*), SUM(amount_cents) FROM einvoice_reports") == [(2, 230000)]


def test_reported_once_unless_again(cli: CliRunner, tmp_path: Path, ledger: str) -> None:
    company(tmp_path / "encours-data", "100000009")
    out = tmp_path / "cdar-out"
    first = statuses(cli, ledger, out)
    contents = {p.name: p.read_bytes() for p in out.iterdir()}
    for path in out.iterdir():
        path.unlink()
    second = statuses(cli, ledger, out)
    assert [r["status"] for r in second] == ["already_reported", "skipped", "already_reported"]
    assert list(out.iterdir()) == []
    again = statuses(cli, ledger, out, "--again")
    assert [r["status"] for r in again] == [r["status"] for r in first] == ["written", "skipped", "written"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == contents  # the same bytes again
    assert query(ledger, "SELECT COUNT(*) FROM einvoice_reports") == [(2,)]


@pytest.mark.parametrize("siren", ["", "12345"])
def test_a_seller_without_siren_is_refused(cli: CliRunner, tmp_path: Path, ledger: str, siren: str) -> None:
    company(tmp_path / "encours-data", siren)
    out = tmp_path / "cdar-out"
    code, _, err = invoke(
        cli, "einvoice", "statuses", "--since", "2026-03-01", "--out", str(out), "--db", ledger
    )
    assert code == 2
    assert "siren" in err and "company.toml" in err
    assert not out.exists()
    assert query(ledger, "SELECT COUNT(*) FROM einvoice_reports") == [(0,)]
