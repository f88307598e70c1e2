"""`encours import` of bank statements: lines of the bank journal, never receivables (SPEC §10).

The same transaction imported again, from an overlapping statement or from another format
of the same account, changes nothing; a statement whose balances do not add up is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.bank.conftest import CAMT053, CAMT054, STATEMENTS, camt053_as_mt940, count, mt940, write
from tests.conftest import SAMPLES, invoke, query
from typer.testing import CliRunner

from encours.bank.import_service import parse_statements
from encours.bank.repository import BankRepository
from encours.domain.bank import SameDayKey, fingerprint
from encours.ingest import detect

# sample files whose test balances do not add up (read off them: opening + movements != closing)
UNBALANCED = {"oca-test-camt053.xml", "betterplace-sepa_snippet.sta", "jejik-abnamro.sta"}
IDS = [path.name for path in STATEMENTS]


def counts(out: str) -> list[tuple[int, int, int]]:
    """(transactions, new, already known) per account, as `encours import` says them."""
    found = re.findall(r"(\d+) bank transactions \((\d+) new, (\d+) already known\)", out)
    return [(int(a), int(b), int(c)) for a, b, c in found]


@pytest.mark.parametrize("path", STATEMENTS, ids=IDS)
def test_every_sample_goes_to_the_journal_once(path: Path, cli: CliRunner, sqlite_url: str) -> None:
    data = path.read_bytes()
    format_name = detect.detect_format(data)
    assert format_name is not None
    code, out, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    if path.name in UNBALANCED:
        assert code == 2 and "[balance]" in err and "differs from opening balance" in err
        assert f"{path}: nothing imported" in err
        assert count(sqlite_url, "bank_transactions") == 0
        return
    assert code == 0, err
    parsed = parse_statements(str(path), data, format_name)
    lines = sum(len(s.lines) for s in parsed.statements)
    assert sum(total for total, _, _ in counts(out)) == lines
    assert all(total == new for total, new, _ in counts(out))
    assert count(sqlite_url, "bank_transactions") == lines
    assert count(sqlite_url, "entries") == 0  # nothing reaches receivables
    code, out, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 0, err
    assert all(new == 0 and known == total for total, new, known in counts(out))
    assert count(sqlite_url, "bank_transactions") == lines


def test_a_statement_whose_balances_do_not_add_up_is_refused(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    content = CAMT053.read_text(encoding="utf-8").replace(">79443.15<", ">79443.16<")
    path = write(tmp_path, "releve.xml", content.encode())
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2
    line = content[: content.index(">79443.16<")].count("\n") + 1
    assert f"{path}:" in err and "[balance]" in err
    assert "statement 20170323123456789012345 of account CH1111000000123456789" in err
    assert "closing balance 79443.16 differs from opening balance 75960.15 + movements 3483.00" in err
    assert count(sqlite_url, "bank_transactions") == 0 and count(sqlite_url, "bank_accounts") == 0
    assert any(str(n) in err for n in range(line - 12, line + 1))  # the closing balance's element
    bad = write(tmp_path, "releve.sta", camt053_as_mt940().replace("CHF79443,15", "CHF79443,05"))
    code, _, err = invoke(cli, "import", str(bad), "--db", sqlite_url)
    assert code == 2 and "statement 1/1 of account CH1111000000123456789" in err
    assert "closing balance 79443.05 differs from opening balance 75960.15 + movements 3483.00" in err


def test_balanced_mt940_statements_are_accepted(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    """The betterplace sample's second statement lacks 300.08 of its movements; with its
    closing balance made to agree, both statements check and import."""
    text = (SAMPLES / "mt940/betterplace-sepa_snippet.sta").read_text(encoding="latin-1")
    fixed = write(
        tmp_path, "fixed.sta", text.replace(":62F:D070904EUR4472049,09", ":62F:D070904EUR4472349,17")
    )
    code, out, err = invoke(cli, "import", str(fixed), "--db", sqlite_url)
    assert code == 0, err
    assert counts(out) == [(4, 4, 0), (7, 7, 0)]


@pytest.mark.parametrize("first", ["camt", "mt940"])
def test_one_statement_in_camt053_and_mt940_is_stored_once(
    first: str, cli: CliRunner, tmp_path: Path, db_url: str
) -> None:
    other = write(tmp_path, "releve.sta", camt053_as_mt940())
    paths = [CAMT053, other] if first == "camt" else [other, CAMT053]
    code, out, err = invoke(cli, "import", str(paths[0]), "--db", db_url)
    assert code == 0 and counts(out) == [(2, 2, 0)], err
    code, out, err = invoke(cli, "import", str(paths[1]), "--db", db_url)
    assert code == 0 and counts(out) == [(2, 0, 2)], err
    stored = query(
        db_url, "SELECT fingerprint, account, source_format FROM bank_transactions ORDER BY amount_cents"
    )
    day = __import__("datetime").date(2017, 3, 22)
    account = "CH1111000000123456789"
    assert [f for f, _, _ in stored] == [
        fingerprint(SameDayKey(account, day, cents, "CHF"), 1) for cents in (129600, 218700)
    ]
    assert {source for *_, source in stored} == {"camt" if first == "camt" else "mt940"}


def test_identical_lines_of_one_day_are_distinct_transactions(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    same = [("170322", "100.00", "VIR CLIENT"), ("170322", "100.00", "VIR CLIENT")]
    path = write(tmp_path, "a.sta", mt940("CH1111000000123456789", "0.00", same, "200.00"))
    assert counts(invoke(cli, "import", str(path), "--db", sqlite_url)[1]) == [(2, 2, 0)]
    # the next day's statement repeats the day (overlap) and adds a third line of 100.00
    three = [*same, ("170322", "100.00", "VIR CLIENT")]
    overlap = write(tmp_path, "b.sta", mt940("CH1111000000123456789", "0.00", three, "300.00"))
    assert counts(invoke(cli, "import", str(overlap), "--db", sqlite_url)[1]) == [(3, 1, 2)]
    assert query(sqlite_url, "SELECT occurrence FROM bank_transactions ORDER BY occurrence") == [
        (1,),
        (2,),
        (3,),
    ]


def test_two_notifications_of_one_amount_on_one_day_are_two_receipts(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    """Intraday camt.054: two customers paying 5.00 the same day, told apart by end-to-end id."""
    content = CAMT054.read_text(encoding="utf-8")
    assert "ENDTOENDID-01" in content
    second = write(tmp_path, "n2.xml", content.replace("ENDTOENDID-01", "ENDTOENDID-02").encode())
    assert counts(invoke(cli, "import", str(CAMT054), "--db", sqlite_url)[1]) == [(1, 1, 0)]
    assert counts(invoke(cli, "import", str(second), "--db", sqlite_url)[1]) == [(1, 1, 0)]
    assert counts(invoke(cli, "import", str(second), "--db", sqlite_url)[1]) == [(1, 0, 1)]


def test_transfers_between_own_accounts_are_no_receipts(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    """The camt.054 credit comes from NL46ABNA0499998748; once a statement of that account is
    imported, it is the company's own: the credit leaves the unidentified receipts."""
    assert invoke(cli, "import", str(CAMT054), "--db", db_url)[0] == 0

    def unmatched() -> list[dict[str, str]]:
        code, out, err = invoke(cli, "cash", "unmatched", "--format", "json", "--db", db_url)
        assert code == 0, err
        return list(json.loads(out)["receipts"])

    assert [r["payer_iban"] for r in unmatched()] == ["NL46ABNA0499998748"]
    statement = mt940("NL46ABNA0499998748", "10.00", [("220126", "-5.00", "VIR")], "5.00")
    assert invoke(cli, "import", str(write(tmp_path, "own.sta", statement)), "--db", db_url)[0] == 0
    assert unmatched() == []
    sql = "SELECT kind, status FROM bank_transactions WHERE amount_cents = 500"
    assert query(db_url, sql) == [("own_transfer", "ignored")]


def test_a_line_stored_meanwhile_by_another_import_is_a_refusal(
    cli: CliRunner, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two imports of one statement at once: the second finds the fingerprints taken (exit 2)."""
    assert invoke(cli, "import", str(CAMT053), "--db", db_url)[0] == 0
    # as if the other import had committed after this one looked for its same-day lines
    monkeypatch.setattr(BankRepository, "same_day_lines", lambda self, keys: {})
    code, _, err = invoke(cli, "import", str(CAMT053), "--db", db_url)
    assert code == 2 and "another import stored these bank transactions at the same time" in err
    assert count(db_url, "bank_transactions") == 2
