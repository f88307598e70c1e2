"""Importing a large camt.053 statement into the bank journal, again, then as MT940.

The statement (one account, N credits over a year, a tenth with twins of the same day and
amount) is written from a seeded generator. The baseline, measured in the same run, is
parsing the file alone; the figures are the import (parse, balance check, pairing, insert),
the re-import (nothing new) and the same statement in MT940 (nothing new either: the same
transactions in another format). Prints the ratios to the baseline.

    uv run python bench/bench_bank_import.py --lines 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from encours.bank.import_service import BankImportService, parse_statements
from encours.ingest import detect
from encours.storage.database import get_engine, unit_of_work

ACCOUNT = "FR7630001007941234567890185"
FIRST_DAY = dt.date(2026, 1, 1)


def movements(lines: int, seed: int = 2026) -> list[tuple[dt.date, int, str]]:
    rng = random.Random(seed)
    found: list[tuple[dt.date, int, str]] = []
    while len(found) < lines:
        day = FIRST_DAY + dt.timedelta(days=len(found) * 365 // lines)
        cents = rng.randint(100, 900_000)
        twins = 2 if rng.random() < 0.1 else 1
        found += [(day, cents, f"E2E{len(found) + i}") for i in range(twins)]
    return found[:lines]


def camt053(moves: list[tuple[dt.date, int, str]]) -> bytes:
    total = sum(cents for _, cents, _ in moves)
    entries = "".join(
        f'<Ntry><Amt Ccy="EUR">{cents / 100:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{day}</Dt></BookgDt><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd>"
        f"<SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs>"
        f"<EndToEndId>{e2e}</EndToEndId></Refs><RmtInf><Ustrd>FA {e2e}</Ustrd></RmtInf></TxDtls>"
        f"</NtryDtls></Ntry>"
        for day, cents, e2e in moves
    )
    balance = (
        '<Bal><Tp><CdOrPrtry><Cd>{}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{:.2f}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd></Bal>"
    )
    balances = balance.format("OPBD", 0) + balance.format("CLBD", total / 100)
    return (
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        f"<BkToCstmrStmt><Stmt><Id>BENCH</Id><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id></Acct>"
        f"{balances}{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def mt940(moves: list[tuple[dt.date, int, str]]) -> bytes:
    total = sum(cents for _, cents, _ in moves)
    body = [":20:BENCH", f":25:{ACCOUNT}", ":28C:1/1", f":60F:C{FIRST_DAY:%y%m%d}EUR0,00"]
    for day, cents, e2e in moves:
        body += [f":61:{day:%y%m%d}{day:%m%d}C{cents // 100},{cents % 100:02d}NTRFNONREF", f":86:FA {e2e}"]
    body += [f":62F:C{moves[-1][0]:%y%m%d}EUR{total // 100},{total % 100:02d}", "-"]
    return ("\n".join(body) + "\n").encode()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args()
    moves = movements(args.lines)
    camt, swift = camt053(moves), mt940(moves)
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(f"sqlite:///{Path(folder) / 'bench.db'}")

        def store(data: bytes, format_name: str) -> str:
            with unit_of_work(engine) as session:
                return BankImportService(session).import_file(Path("bench"), data, format_name).describe()

        baseline = timed(lambda: parse_statements("bench", camt, detect.CAMT053))
        results = []
        for label, data, name in (("import", camt, detect.CAMT053), ("re-import", camt, detect.CAMT053),
                                  ("same statement as MT940", swift, detect.MT940)):  # fmt: skip
            start = time.perf_counter()
            said = store(data, name)
            results.append((f"{label}: {said.split(': ', 1)[1]}", time.perf_counter() - start))
    print(f"camt.053 of {args.lines} lines, parse alone (baseline): {baseline:.2f} s")
    for label, seconds in results:
        print(f"  {label}: {seconds:.2f} s, {seconds / baseline:.1f}x the baseline")


if __name__ == "__main__":
    main()
