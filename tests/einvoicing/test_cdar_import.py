"""`encours import` of CDAR lifecycle statuses (SPEC §11): each code's effect, idempotence,
line-precise refusals, and dunning leaving out refused, rejected, cancelled and factored invoices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.acceptance.cli import encours
from tests.conftest import invoke, query
from tests.einvoicing.cdar_messages import status_xml
from tests.einvoicing.conftest import CUSTOMERS, INVOICES, ok, write
from typer.testing import CliRunner


def send(cli: CliRunner, tmp_path: Path, url: str, name: str, xml: str) -> str:
    return ok(cli, "import", str(write(tmp_path, name, xml)), "--db", url)


def timeline(cli: CliRunner, url: str, customer: str) -> list[dict[str, object]]:
    return list(json.loads(ok(cli, "timeline", customer, "--format", "json", "--db", url)))


def disputes(url: str) -> list[tuple[str, str, str, str]]:
    rows = query(
        url,
        "SELECT e.reference, d.reason, d.status, d.opened_by FROM disputes d "
        "JOIN entries e ON e.id = d.entry_id ORDER BY d.id",
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def dunned_invoices(cli: CliRunner, url: str) -> set[str]:
    out = ok(cli, "dunning", "preview", "--as-of", "2026-10-31", "--format", "json", "--db", url)
    return {i for action in json.loads(out)["actions"] for i in action["invoice_ids"]}


def test_every_mapped_code_does_what_spec_11_says(cli: CliRunner, tmp_path: Path, ledger: str) -> None:
    assert {"F207", "F208", "F210", "F213", "F220", "F225", "F205"} <= dunned_invoices(cli, ledger)
    messages = {
        "207": status_xml(
            "F207", 207, reason_code="TX_TVA_ERR", reason="Taux de TVA erroné", label="En_litige"
        ),
        "208": status_xml("F208", 208, reason_code="JUSTIF_ABS", reason="Bon de commande manquant"),
        "210": status_xml("F210", 210, reason_code="DOUBLON", reason="Facture déjà reçue"),
        "213": status_xml("F213", 213, reason_code="REJ_SEMAN"),
        "220": status_xml("F220", 220),
        "225": status_xml("F225", 225),
        "205": status_xml("F205", 205, buyer="552100554", at="20260302090000"),
        "206": status_xml("F205", 206, buyer="552100554", reason_code="AUTRE", at="20260302100000"),
        "211": status_xml("F211", 211, buyer="552100554", amount="1700.00", at="20260310081500"),
    }
    for code, xml in messages.items():
        out = send(cli, tmp_path, ledger, f"status-{code}.xml", xml)
        assert "statuses 1 new" in out

    # 207, 208 and 210 open a dispute with the message's reason, on the disputes board
    assert disputes(ledger) == [
        ("F207", "CDAR 207 En litige: TX_TVA_ERR Taux de TVA erroné", "open", "einvoice"),
        ("F208", "CDAR 208 Suspendue: JUSTIF_ABS Bon de commande manquant", "open", "einvoice"),
        ("F210", "CDAR 210 Refusée: DOUBLON Facture déjà reçue", "open", "einvoice"),
    ]
    standings = dict(query(ledger, "SELECT e.reference, s.standing FROM einvoice_standings s "
                                   "JOIN entries e ON e.id = s.entry_id"))  # fmt: skip
    assert standings == {"F210": "refused", "F213": "not_issued", "F220": "not_issued", "F225": "factored"}

    # every status on its customer's timeline, with its code and its French / English label
    acme = [i for i in timeline(cli, ledger, "ACME") if i["kind"] == "einvoice"]
    assert [(i["event"], i["title"]) for i in acme] == [
        ("207", "207 En litige / Disputed, F207: TX_TVA_ERR Taux de TVA erroné"),
        ("208", "208 Suspendue / Suspended, F208: JUSTIF_ABS Bon de commande manquant"),
        ("210", "210 Refusée / Refused, F210: DOUBLON Facture déjà reçue"),
        ("213", "213 Rejetée / Rejected, F213: REJ_SEMAN"),
        ("220", "220 Annulée / Cancelled, F220"),
        ("225", "225 Affacturée / Factored, F225"),
    ]
    assert {i["day"] for i in acme} == {"2026-03-01"}
    beta = [i for i in timeline(cli, ledger, "BETA") if i["kind"] == "einvoice"]
    assert [(i["event"], i["title"], i["amount"]) for i in beta] == [
        ("205", "205 Approuvée / Approved, F205", None),
        ("206", "206 Approuvée partiellement / Partially approved, F205: AUTRE", None),
        ("211", "211 Paiement transmis / Payment sent, F211 (expected 2026-03-10)", "1700.00"),
    ]
    # 211 records the payment the buyer announces: its date and amount
    [(expected_on, cents, currency)] = query(
        ledger, "SELECT expected_on, amount_cents, currency FROM einvoice_statuses WHERE code = 211"
    )
    assert (str(expected_on), cents, currency) == ("2026-03-10", 170000, "EUR")

    # dunning: disputed, refused, not legally issued and factored invoices are all left out
    dunned = dunned_invoices(cli, ledger)
    assert not dunned & {"F207", "F208", "F210", "F213", "F220", "F225"}
    assert {"F205", "F999", "G1"} <= dunned


def test_exclusions_outlast_a_resolved_dispute_and_lift_as_the_lifecycle_says(
    cli: CliRunner, tmp_path: Path, ledger: str
) -> None:
    send(cli, tmp_path, ledger, "refused.xml", status_xml("F210", 210, reason_code="DOUBLON"))
    [(dispute_id,)] = query(ledger, "SELECT id FROM disputes")
    ok(cli, "dispute", "resolve", str(dispute_id), "--resolution", "credit note sent", "--db", ledger)
    assert "F210" not in dunned_invoices(cli, ledger)  # refused: still out once the dispute is closed
    send(cli, tmp_path, ledger, "approved.xml", status_xml("F210", 205, at="20260402100000"))
    assert "F210" in dunned_invoices(cli, ledger)  # approved after all: dunned again

    send(cli, tmp_path, ledger, "factored.xml", status_xml("F225", 225))
    assert "F225" not in dunned_invoices(cli, ledger)
    send(cli, tmp_path, ledger, "unfactored.xml", status_xml("F225", 228, at="20260402100000"))
    assert "F225" in dunned_invoices(cli, ledger)

    send(cli, tmp_path, ledger, "rejected.xml", status_xml("F213", 213, reason_code="REJ_SEMAN"))
    send(cli, tmp_path, ledger, "then-approved.xml", status_xml("F213", 205, at="20260402100000"))
    assert "F213" not in dunned_invoices(cli, ledger)  # never legally issued: final


def test_reimport_changes_nothing(cli: CliRunner, tmp_path: Path, ledger: str) -> None:
    xml = status_xml("F207", 207, reason_code="TX_TVA_ERR", reason="Taux de TVA erroné")
    send(cli, tmp_path, ledger, "s.xml", xml)
    tables = ("einvoice_statuses", "einvoice_standings", "disputes", "audit_events")
    before = {t: query(ledger, f"SELECT COUNT(*) FROM {t}") for t in tables}
    out = send(cli, tmp_path, ledger, "again.xml", xml)
    assert "statuses 0 new, 1 unchanged; disputes 0 opened" in out
    assert {t: query(ledger, f"SELECT COUNT(*) FROM {t}") for t in tables} == before
    # a second dispute status on an invoice already disputed is recorded, no second dispute
    out = send(cli, tmp_path, ledger, "later.xml", status_xml("F207", 208, at="20260305100000"))
    assert "statuses 1 new, 0 unchanged; disputes 0 opened" in out
    assert len(disputes(ledger)) == 1


def test_unknown_invoice_is_refused_naming_it_and_its_line(
    cli: CliRunner, tmp_path: Path, ledger: str
) -> None:
    path = write(tmp_path, "unknown.xml", status_xml("F404", 210, reason_code="DOUBLON"))
    code, _, err = invoke(cli, "import", str(path), "--db", ledger)
    assert code == 2
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "<ram:IssuerAssignedID>F404" in text
    )
    assert f"{path}:{line} [IssuerAssignedID]: unknown invoice 'F404'" in err
    assert query(ledger, "SELECT COUNT(*) FROM einvoice_statuses") == [(0,)]
    assert query(ledger, "SELECT COUNT(*) FROM disputes") == [(0,)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("<ram:ProcessConditionCode>207", "<ram:ProcessConditionCode>2x7"), "ProcessConditionCode"),
        (('format="204">20260301100500', 'format="204">29990301100500'), "IssueDateTime"),
        (("<ram:IssuerAssignedID>F207</ram:IssuerAssignedID>", ""), "IssuerAssignedID"),
        (("</rsm:CrossDomainAcknowledgementAndResponse>", ""), ""),
    ],
)
def test_bad_messages_are_refused_line_precisely(
    cli: CliRunner, tmp_path: Path, ledger: str, change: tuple[str, str], field: str
) -> None:
    xml = status_xml("F207", 207, reason_code="TX_TVA_ERR").replace(*change)
    path = write(tmp_path, "bad.xml", xml)
    code, _, err = invoke(cli, "import", str(path), "--db", ledger)
    assert code == 2, err
    assert f"error: {path}:" in err and (f"[{field}]" in err if field else "malformed XML" in err)
    assert query(ledger, "SELECT COUNT(*) FROM einvoice_statuses") == [(0,)]


def test_any_namespace_prefix_reads_alike(cli: CliRunner, tmp_path: Path, ledger: str) -> None:
    out = send(cli, tmp_path, ledger, "ns.xml", status_xml("F207", 207, reason="Quantité", prefix="cac"))
    assert "statuses 1 new" in out
    assert disputes(ledger) == [("F207", "CDAR 207 En litige: Quantité", "open", "einvoice")]


def test_statuses_on_the_timeline_of_a_fresh_encours_process(tmp_path: Path, sqlite_url: str) -> None:
    """`encours timeline` alone (no import command loaded before it) shows the statuses."""
    files = [write(tmp_path, "c.csv", CUSTOMERS), write(tmp_path, "i.csv", INVOICES)]
    env = {"ENCOURS_DATA_DIR": str(tmp_path / "data")}
    assert encours("import", *map(str, files), "--db", sqlite_url, cwd=tmp_path, env=env).code == 0
    status = write(tmp_path, "s.xml", status_xml("F213", 213, reason_code="REJ_SEMAN"))
    assert encours("import", str(status), "--db", sqlite_url, cwd=tmp_path, env=env).code == 0
    run = encours("timeline", "ACME", "--format", "json", "--db", sqlite_url, cwd=tmp_path, env=env)
    items = [i for i in json.loads(run.stdout) if i["kind"] == "einvoice"]
    assert [(i["event"], i["title"]) for i in items] == [("213", "213 Rejetée / Rejected, F213: REJ_SEMAN")]
