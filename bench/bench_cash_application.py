"""Cash application of 100k bank receipts against 1M open invoices, with remittance noise.

Generates customers (names, some IBANs in the file), open invoices and a statement whose
receipts carry the noise of real transfers: references with spaces, prefixes and typos, RF
references, missing references, several invoices in one payment, bank charges, partial
payments, payer-name variants, credits of non-customers, and receipts already in the ledger.
Each receipt knows what it truly pays. Then, in the same run and database:

- the product: ``encours cash apply`` (``CashApplication.apply``: book loaded from the
  database, rules, everything written and flushed);
- the baseline: the reference-only rule (an invoice number spelt exactly as stored, and an
  amount equal to its open amount), on the same receipts and invoices in memory.

Reports time, invoice-level hit rate (allocations that are right, over those that should be
made) and wrong allocations (to an invoice the receipt does not pay, or of a wrong amount; a
non-customer's credit matched; a duplicate counted again). Targets (issue 11): < 60 s, hit
rate ≥ 95 %, wrong allocations 0.

    uv run python bench/bench_cash_application.py [--invoices 1000000] [--receipts 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from encours.domain.bank import TransactionKind
from encours.domain.bank_charges import ChargeTolerance
from encours.domain.creditor_reference import customer_reference, invoice_reference
from encours.ledger.cash_application import CashApplication, CashRun
from encours.storage.database import get_engine, session_factory

AS_OF = dt.date(2026, 10, 31)
START = dt.date(2026, 1, 1)
SYLLABLES = [a + b for a in "bdfklmnprstvz" for b in "aeio"]
TRADES = [
    "Industrie",
    "Logistique",
    "Services",
    "Conseil",
    "Bâtiment",
    "Énergie",
    "Distribution",
    "Transports",
]
CITIES = ["Lyon", "Paris", "Nantes", "Lille", "Rennes", "Dijon", "Metz", "Brest", "Tours", "Nîmes", "Caen"]
FORMS = ["SAS", "SARL", "SA", "EURL", "GmbH", "Ltd", "S.A.S.", ""]
STYLES = ["FA{y}-{n:06d}", "F{y}{n:06d}", "INV-{n:07d}", "FACT{y}/{n:06d}"]


class Truth(NamedTuple):
    kind: str  # scenario
    allocations: dict[str, Decimal]  # invoice number → amount of the receipt it should settle
    duplicate: bool = False
    customer: bool = True  # False: a credit no customer sent


class Bench(NamedTuple):
    customers: list[dict[str, Any]]
    invoices: list[dict[str, Any]]  # number, customer, amount (Decimal), date, due
    lines: list[dict[str, Any]]
    truths: dict[int, Truth]  # by line source_line
    ledger_payments: list[tuple[str, int, Decimal, dt.date, str]]  # key, customer pk, amount, date, invoice


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def iban(rng: random.Random) -> str:
    bban = "".join(rng.choice("0123456789") for _ in range(23))
    digits = "".join(str(int(ch, 36)) for ch in bban + "FR00")
    return f"FR{98 - int(digits) % 97:02d}{bban}"


def spelt(number: str, rng: random.Random) -> str:
    """How a customer writes an invoice number in a transfer."""
    digits = re.sub(r"\D", "", number)
    return rng.choice(
        [
            number,
            number.lower(),
            number.replace("-", " "),
            f"Facture n° {number}",
            f"FACT {number}",
            f"{number[:2]} {number[2:]}",
            f"fa {digits}" if number.startswith("FA") else number,
        ]
    )


def typo(number: str, rng: random.Random) -> str:
    """One character of the digits changed the way people mistype them (O for 0, a digit swapped)."""
    positions = [i for i, ch in enumerate(number) if ch.isdigit()][-4:]
    i = rng.choice(positions)
    if number[i] == "0":
        return number[:i] + "O" + number[i + 1 :]
    return number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]


def name_variant(name: str, rng: random.Random) -> str:
    plain = name.replace("é", "e").replace("É", "E").replace("â", "a").replace("î", "i")
    bare = re.sub(r"\s+(SAS|SARL|SA|EURL|GmbH|Ltd|S\.A\.S\.)$", "", plain)
    return rng.choice([name.upper(), bare.upper(), bare, f"STE {bare.upper()}", plain.lower()])


def generate(invoices: int, receipts: int, seed: int = 11) -> Bench:
    rng = random.Random(seed)
    n_customers = max(10, invoices // 10)
    customers = []
    for pk in range(1, n_customers + 1):
        name = (
            f"{word(rng)} {word(rng)} {rng.choice(TRADES)} {rng.choice(CITIES)} {rng.choice(FORMS)}".strip()
        )
        customers.append(
            {
                "id": pk,
                "customer_id": f"C{pk:06d}",
                "name": name,
                "iban": iban(rng) if rng.random() < 0.4 else None,
                "pays_from": iban(rng),
            }
        )
    rows, by_customer = [], defaultdict(list)
    for n in range(1, invoices + 1):
        customer = customers[rng.randrange(n_customers)]
        day = START + dt.timedelta(days=rng.randrange(250))
        number = rng.choice(STYLES).format(y=day.year, n=n)
        amount = Decimal(rng.randrange(5_000, 500_000)) / 100
        if rng.random() < 0.1:  # subscriptions: the same amount every month
            amount = Decimal(rng.choice([99, 149, 250, 990])) + Decimal("0.00")
        invoice = {
            "number": number,
            "customer": customer,
            "amount": amount,
            "date": day,
            "due": day + dt.timedelta(days=30),
        }
        rows.append(invoice)
        by_customer[customer["id"]].append(invoice)
    used: set[str] = set()
    lines, truths, ledger_payments = [], {}, []
    scenarios = [
        ("reference", 30),
        ("rf", 10),
        ("several_refs", 8),
        ("typo", 6),
        ("iban_amount", 10),
        ("name_amount", 8),
        ("combination", 5),
        ("charges", 5),
        ("partial", 5),
        ("customer_rf", 3),
        ("duplicate", 3),
        ("non_customer", 4),
        ("interest", 3),
    ]
    names, weights = zip(*scenarios, strict=True)

    def free(customer: dict[str, Any], count: int, date: dt.date) -> list[dict[str, Any]]:
        mine = [i for i in by_customer[customer["id"]] if i["number"] not in used and i["date"] <= date]
        if len(mine) < count:
            return []
        chosen = rng.sample(mine, count)
        used.update(i["number"] for i in chosen)
        return chosen

    n = 0
    while n < receipts:
        kind = rng.choices(names, weights)[0]
        customer = customers[rng.randrange(n_customers)]
        date = AS_OF - dt.timedelta(days=rng.randrange(40))
        payer, account, text = customer["name"], customer["pays_from"], ""
        line_kind = TransactionKind.CUSTOMER_CREDIT.value
        count = {"several_refs": rng.randint(2, 3), "combination": rng.randint(2, 3)}.get(kind, 1)
        chosen = [] if kind in ("non_customer", "interest") else free(customer, count, date)
        if kind not in ("non_customer", "interest") and not chosen:
            continue
        amount = sum((i["amount"] for i in chosen), Decimal(0))
        truth = Truth(kind, {i["number"]: i["amount"] for i in chosen})
        known_account = customer["iban"] or customer["pays_from"]
        if kind == "reference":
            text = f"VIR SEPA {spelt(chosen[0]['number'], rng)}"
            payer = (
                name_variant(customer["name"], rng) if rng.random() < 0.5 else rng.choice(["", "VIREMENT"])
            )
        elif kind == "rf":
            text = f"{invoice_reference(chosen[0]['number'])}"
        elif kind == "several_refs":
            text = "REGLEMENT " + " ET ".join(spelt(i["number"], rng) for i in chosen)
        elif kind == "typo":
            text, account = f"PAIEMENT {typo(chosen[0]['number'], rng)}", known_account
        elif kind == "iban_amount":
            account, text = known_account, rng.choice(["", "VIREMENT", "REGLEMENT FACTURES"])
        elif kind == "name_amount":
            account, payer, text = "", name_variant(customer["name"], rng), rng.choice(["", "PAIEMENT"])
        elif kind == "combination":
            account, text = known_account, "REGLEMENT"
        elif kind == "charges":
            charge = min(
                Decimal(rng.randrange(1, 1500)) / 100, (amount * Decimal("0.005")).quantize(Decimal("0.01"))
            )
            text, amount = f"VIR INTL {spelt(chosen[0]['number'], rng)}", amount - charge
            truth = Truth(kind, {chosen[0]["number"]: amount})
        elif kind == "partial":
            amount = (amount * Decimal(rng.choice(["0.3", "0.5", "0.6"]))).quantize(Decimal("0.01"))
            text, account = f"ACOMPTE {chosen[0]['number']}", known_account
            truth = Truth(kind, {chosen[0]["number"]: amount})
        elif kind == "customer_rf":
            text = f"REF {customer_reference(customer['customer_id'])}"
        elif kind == "duplicate":
            # already in the ledger (e.g. a lettered FEC line), two days before the bank's date
            key = f"fec:bench{n}"
            ledger_payments.append(
                (key, customer["id"], amount, date - dt.timedelta(days=2), chosen[0]["number"])
            )
            text, account = f"VIR {chosen[0]['number']}", known_account
            truth = Truth(kind, {}, duplicate=True)
        elif kind == "non_customer":
            payer, account, text = (
                f"{word(rng)} Immobilier SCI",
                iban(rng),
                rng.choice(["LOYER", "REMBT DEPOT", ""]),
            )
            amount = Decimal(rng.randrange(10_000, 300_000)) / 100
            truth = Truth(kind, {}, customer=False)
        else:  # interest: never a customer credit
            payer, account, text, line_kind = (
                "BANQUE",
                "",
                "INTERETS CREDITEURS",
                TransactionKind.INTEREST.value,
            )
            amount = Decimal(rng.randrange(100, 10_000)) / 100
            truth = Truth(kind, {}, customer=False)
        n += 1
        lines.append(bank_line(n, amount, date, payer, account, text, line_kind))
        truths[n] = truth
    return Bench(customers, rows, lines, truths, ledger_payments)


def bank_line(
    n: int, amount: Decimal, date: dt.date, payer: str, account: str, text: str, kind: str
) -> dict[str, Any]:
    return {
        "fingerprint": f"fp{n}",
        "occurrence": 1,
        "account": "FR7610107001011234567890129",
        "statement_id": "S",
        "booking_date": date,
        "value_date": None,
        "amount_cents": int(amount * 100),
        "currency": "EUR",
        "payer_name": payer[:255],
        "payer_iban": account,
        "remittance": text,
        "creditor_reference": "",
        "end_to_end_id": f"E{n}",
        "bank_reference": f"B{n}",
        "transaction_code": "",
        "kind": kind,
        "status": "unmatched",
        "reason": "",
        "source_format": "camt",
        "source_file": "bench",
        "source_line": n,
        "imported_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    }


def load(url: str, bench: Bench) -> None:
    engine = get_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        mark = "%s" if engine.dialect.name == "postgresql" else "?"

        def many(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
            for start in range(0, len(rows), 50_000):
                cursor.executemany(sql, rows[start : start + 50_000])

        many(
            "customers",
            ["id", "customer_id", "name", "iban", "currency"],
            [(c["id"], c["customer_id"], c["name"], c["iban"], "EUR") for c in bench.customers],
        )
        columns = [
            "id",
            "key",
            "customer_pk",
            "kind",
            "reference",
            "date",
            "due_date",
            "amount_cents",
            "currency",
            "disputed",
            "label",
        ]
        rows = [
            (
                i,
                f"bench:{inv['number']}",
                inv["customer"]["id"],
                "invoice",
                inv["number"],
                inv["date"].isoformat(),
                inv["due"].isoformat(),
                int(inv["amount"] * 100),
                "EUR",
                False,
                "",
            )
            for i, inv in enumerate(bench.invoices, start=1)
        ]
        ids = {inv["number"]: i for i, inv in enumerate(bench.invoices, start=1)}
        first = len(rows) + 1
        payments = [
            (
                first + k,
                key,
                pk,
                "payment",
                f"P{k}",
                day.isoformat(),
                day.isoformat(),
                -int(amount * 100),
                "EUR",
                False,
                "VIR",
            )
            for k, (key, pk, amount, day, _) in enumerate(bench.ledger_payments)
        ]
        many("entries", columns, rows + payments)
        many(
            "allocations",
            ["credit_entry_id", "debit_entry_id", "amount_cents", "date", "origin"],
            [
                (first + k, ids[number], int(amount * 100), day.isoformat(), "lettering")
                for k, (_, _, amount, day, number) in enumerate(bench.ledger_payments)
            ],
        )
        line_columns = list(bench.lines[0])
        many(
            "bank_transactions",
            line_columns,
            [
                tuple(v.isoformat() if isinstance(v, dt.date) else v for v in line.values())
                for line in bench.lines
            ],
        )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


class Score(NamedTuple):
    expected: int  # (receipt, invoice) allocations that should be made
    right: int
    wrong: int

    @property
    def hit_rate(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def score(bench: Bench, found: dict[int, tuple[str, dict[str, Decimal]]]) -> Score:
    """Compare (status, allocations by invoice number) per line with the truth."""
    expected = right = wrong = 0
    for line, truth in bench.truths.items():
        status, allocations = found.get(line, ("unmatched", {}))
        expected += len(truth.allocations)
        if not truth.customer or truth.duplicate:
            wrong += len(allocations) if status == "matched" else 0
            expected += 1 if truth.duplicate else 0
            right += 1 if truth.duplicate and status == "duplicate" else 0
            continue
        if status != "matched":
            continue
        for number, amount in allocations.items():
            if truth.allocations.get(number) == amount:
                right += 1
            else:
                wrong += 1
    return Score(expected, right, wrong)


def by_kind(bench: Bench, found: dict[int, tuple[str, dict[str, Decimal]]], kind: str) -> float:
    return score(
        bench._replace(truths={k: t for k, t in bench.truths.items() if t.kind == kind}), found
    ).hit_rate


def product(url: str, bench: Bench) -> tuple[float, dict[int, tuple[str, dict[str, Decimal]]], CashRun]:
    session = session_factory(get_engine(url))()
    try:
        start = time.perf_counter()
        run = CashApplication(session, ChargeTolerance(), actor="bench").apply(AS_OF)
        session.flush()
        elapsed = time.perf_counter() - start
    finally:
        session.rollback()
        session.close()
    line_of = {str(i): line["source_line"] for i, line in enumerate(bench.lines, start=1)}
    found = {
        line_of[r.receipt_id]: (r.status.value, {n: a for n, a in r.allocations})
        for r in run.receipts
        if r.receipt_id in line_of
    }
    return elapsed, found, run


def baseline(bench: Bench) -> tuple[float, dict[int, tuple[str, dict[str, Decimal]]]]:
    """The reference-only rule: a word of the text equal to a stored invoice number, paid in full."""
    start = time.perf_counter()
    by_number = {inv["number"]: inv for inv in bench.invoices}
    settled = {number for *_, number in bench.ledger_payments}
    found = {}
    for line in bench.lines:
        if line["kind"] != TransactionKind.CUSTOMER_CREDIT.value:
            continue
        amount = Decimal(line["amount_cents"]) / 100
        for token in line["remittance"].split():
            invoice = by_number.get(token)
            if invoice is not None and invoice["amount"] == amount and token not in settled:
                found[line["source_line"]] = ("matched", {token: amount})
                break
    return time.perf_counter() - start, found


def run(invoices: int, receipts: int, seed: int = 11, url: str | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    bench = generate(invoices, receipts, seed)
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        db = url or f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        load(db, bench)
        loaded = time.perf_counter() - started
        seconds, found, cash_run = product(db, bench)
    base_seconds, base_found = baseline(bench)
    mine, base = score(bench, found), score(bench, base_found)
    summary = cash_run.summary()
    return {
        "invoices": invoices,
        "receipts": len(bench.lines),
        "generated_s": generated,
        "loaded_s": loaded,
        "seconds": seconds,
        "hit_rate": mine.hit_rate,
        "wrong": mine.wrong,
        "expected": mine.expected,
        "baseline_seconds": base_seconds,
        "baseline_hit_rate": base.hit_rate,
        "baseline_wrong": base.wrong,
        "summary": summary,
        "by_kind": {
            kind: by_kind(bench, found, kind) for kind in sorted({t.kind for t in bench.truths.values()})
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--receipts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    r = run(args.invoices, args.receipts, args.seed)
    print(
        f"{r['invoices']} open invoices, {r['receipts']} bank lines (generated {r['generated_s']:.1f} s, "
        f"loaded into SQLite {r['loaded_s']:.1f} s)"
    )
    print(
        f"cash apply       {r['seconds']:7.2f} s | hit rate {r['hit_rate']:.2%} of {r['expected']}"
        f" allocations | wrong {r['wrong']} | target < 60 s: {'OK' if r['seconds'] < 60 else 'MISSED'},"
        f" hit rate >= 95 %: {'OK' if r['hit_rate'] >= 0.95 else 'MISSED'}, wrong 0: "
        f"{'OK' if r['wrong'] == 0 else 'MISSED'}"
    )
    print(
        f"reference-only   {r['baseline_seconds']:7.2f} s (in memory)"
        f" | hit rate {r['baseline_hit_rate']:.2%} | wrong {r['baseline_wrong']}"
    )
    print("summary", r["summary"])
    print("hit rate by scenario", {k: f"{v:.1%}" for k, v in r["by_kind"].items()})


if __name__ == "__main__":
    main()
