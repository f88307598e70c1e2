"""Generate customers, invoices, credit notes and payments with distinct payment behaviours.

Pure: returns domain records. Behaviours are what a credit manager meets every day:
punctual payers, chronic late payers, customers whose delays deteriorate, disputers,
partial payers, customers who pay without saying which invoice, and a few who stop paying.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from encours.domain.money import round_cents
from encours.domain.records import Allocation, Customer, Entry, EntryKind
from encours.domain.terms import PaymentTerms, TermsKind


class Behaviour(StrEnum):
    PUNCTUAL = "punctual"
    LATE = "late"
    DETERIORATING = "deteriorating"
    DISPUTER = "disputer"
    PARTIAL = "partial"
    UNAPPLIED = "unapplied"
    DEFAULTER = "defaulter"


BEHAVIOUR_WEIGHTS = {
    Behaviour.PUNCTUAL: 35,
    Behaviour.LATE: 20,
    Behaviour.DETERIORATING: 10,
    Behaviour.DISPUTER: 10,
    Behaviour.PARTIAL: 10,
    Behaviour.UNAPPLIED: 10,
    Behaviour.DEFAULTER: 5,
}

COMPANY_WORDS = (
    "Atelier", "Bâtiment", "Logistique", "Conseil", "Industries", "Distribution", "Services",
    "Transports", "Électricité", "Menuiserie", "Agro", "Pharma", "Textile", "Mécanique",
)  # fmt: skip
CITY_WORDS = ("Lyon", "Nantes", "Lille", "Rennes", "Bordeaux", "Grenoble", "Dijon", "Brest", "Metz", "Tours")
# where each city's customers are: postal codes, the phone prefix of its region
CITIES = {
    "Lyon": (("69002", "69003", "69007", "69009"), "4"),
    "Nantes": (("44000", "44100", "44200", "44300"), "2"),
    "Lille": (("59000", "59800", "59160"), "3"),
    "Rennes": (("35000", "35200", "35700"), "2"),
    "Bordeaux": (("33000", "33100", "33300", "33800"), "5"),
    "Grenoble": (("38000", "38100"), "4"),
    "Dijon": (("21000",), "3"),
    "Brest": (("29200",), "2"),
    "Metz": (("57000", "57050", "57070"), "3"),
    "Tours": (("37000", "37100", "37200"), "2"),
}
UK_CITIES = (("London", "EC1V 9HX", "20"), ("Manchester", "M1 2WD", "161"), ("Bristol", "BS1 4DJ", "117"))
STREETS = (
    "rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur",
    "avenue du Général de Gaulle", "rue de la Gare", "chemin des Vignes", "quai des Chartrons",
    "rue des Tanneurs", "allée des Érables", "place du Marché", "rue du Moulin", "impasse des Artisans",
    "rue de l'Industrie", "avenue des Frères Lumière", "rue Nationale",
)  # fmt: skip
SECOND_LINES = ("ZI des Forges", "Bâtiment B", "Parc d'activités du Lac", "ZA de la Croix Blanche", "Hall 3")
UK_STREETS = ("Old Street", "High Street", "King Street", "Victoria Road", "Station Road")


class DemoLedger(NamedTuple):
    customers: tuple[Customer, ...]
    entries: tuple[Entry, ...]
    allocations: tuple[Allocation, ...]
    behaviours: dict[str, Behaviour]


class _Builder:
    def __init__(self, seed: int, start: dt.date, until: dt.date) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.until = until
        self.entries: list[Entry] = []
        self.allocations: list[Allocation] = []
        self.invoice_no = 0
        self.payment_no = 0

    def amount(self, scale: float) -> Decimal:
        value = self.rng.lognormvariate(0, 0.8) * scale
        return round_cents(Decimal(str(round(max(value, 50.0), 2))))

    def next_invoice(self) -> str:
        self.invoice_no += 1
        return f"F{self.invoice_no:07d}"

    def next_payment(self) -> str:
        self.payment_no += 1
        return f"P{self.payment_no:07d}"

    def delay(self, behaviour: Behaviour, progress: float) -> int | None:
        """Days after the due date the customer pays (None: never)."""
        rng = self.rng
        if behaviour is Behaviour.PUNCTUAL:
            return int(rng.gauss(-2, 3))
        if behaviour is Behaviour.LATE:
            return int(rng.gauss(35, 12))
        if behaviour is Behaviour.DETERIORATING:
            return int(rng.gauss(-2 + 70 * progress**2, 6))
        if behaviour is Behaviour.DEFAULTER:
            return None if progress > 0.6 else int(rng.gauss(20, 10))
        return int(rng.gauss(12, 10))

    def pay(self, customer: Customer, invoice: Entry, day: dt.date, amount: Decimal, allocate: bool) -> None:
        if day > self.until:
            return
        payment_id = self.next_payment()
        payment = Entry(
            key=f"pay:{payment_id}", customer_id=customer.customer_id, kind=EntryKind.PAYMENT,
            reference=payment_id, date=day, due_date=day, amount=-amount, currency=invoice.currency,
            label="virement",
        )  # fmt: skip
        self.entries.append(payment)
        if allocate:
            self.allocations.append(Allocation(payment.key, invoice.key, amount, max(day, invoice.date)))

    def customer_ledger(self, customer: Customer, behaviour: Behaviour, terms: PaymentTerms) -> None:
        rng = self.rng
        scale = rng.choice((400.0, 1500.0, 5000.0, 15000.0))
        per_month = rng.choice((1, 1, 2, 3, 5))
        span = (self.until - self.start).days
        day = self.start + dt.timedelta(days=rng.randrange(0, 30))
        while day <= self.until:
            progress = (day - self.start).days / span
            self.invoice(customer, behaviour, terms, day, scale, progress)
            day += dt.timedelta(days=max(1, int(rng.expovariate(per_month / 30.0))))

    def invoice(
        self, customer: Customer, behaviour: Behaviour, terms: PaymentTerms,
        day: dt.date, scale: float, progress: float,
    ) -> None:  # fmt: skip
        rng = self.rng
        invoice_id = self.next_invoice()
        amount = self.amount(scale)
        disputed = behaviour is Behaviour.DISPUTER and rng.random() < 0.25
        invoice = Entry(
            key=f"doc:{invoice_id}", customer_id=customer.customer_id, kind=EntryKind.INVOICE,
            reference=invoice_id, date=day, due_date=terms.due_date(day), amount=amount,
            currency=customer.currency or "EUR", disputed=disputed,
        )  # fmt: skip
        self.entries.append(invoice)
        if rng.random() < 0.04:
            # a commercial gesture on part of the invoice, applied to it; the rest is paid
            amount -= self.credit_note(customer, invoice, Decimal(rng.choice(("0.1", "0.2"))))
        if disputed and self.settle_dispute(customer, invoice):
            return
        delay = self.delay(behaviour, progress)
        if delay is None:
            return
        paid_on = max(day, invoice.due_date + dt.timedelta(days=delay))
        if behaviour is Behaviour.PARTIAL and rng.random() < 0.5:
            first = round_cents(amount * Decimal(rng.choice(("0.3", "0.5", "0.7"))))
            self.pay(customer, invoice, paid_on, first, allocate=True)
            if rng.random() < 0.7:
                self.pay(
                    customer,
                    invoice,
                    paid_on + dt.timedelta(days=rng.randrange(10, 50)),
                    amount - first,
                    True,
                )
            return
        # cash application catches up with unapplied receipts after a few weeks
        recent = paid_on > self.until - dt.timedelta(days=45)
        allocate = not (behaviour is Behaviour.UNAPPLIED and recent and rng.random() < 0.5)
        self.pay(customer, invoice, paid_on, amount, allocate)

    def settle_dispute(self, customer: Customer, invoice: Entry) -> bool:
        """Disputes last weeks to months, then end in a credit note or a late payment.

        Returns True when the dispute ends without the normal payment (open or cancelled).
        """
        rng = self.rng
        resolved_on = invoice.due_date + dt.timedelta(days=rng.randrange(30, 150))
        if resolved_on > self.until:
            return True  # still in dispute
        if rng.random() < 0.4:
            self.credit_note(customer, invoice, Decimal(1), day=resolved_on)
            return True
        self.pay(customer, invoice, resolved_on, invoice.amount, allocate=True)
        return True

    def credit_note(
        self, customer: Customer, invoice: Entry, share: Decimal, day: dt.date | None = None
    ) -> Decimal:
        """Issue a credit note on ``share`` of the invoice, allocated to it; returns the amount."""
        amount = round_cents(invoice.amount * share)
        day = day or invoice.date + dt.timedelta(days=self.rng.randrange(1, 20))
        if day > self.until:
            return Decimal(0)
        note_id = self.next_invoice().replace("F", "A")
        note = Entry(
            key=f"doc:{note_id}", customer_id=customer.customer_id, kind=EntryKind.CREDIT_NOTE,
            reference=note_id, date=day, due_date=day, amount=-amount, currency=invoice.currency,
            label=f"avoir sur {invoice.reference}",
        )  # fmt: skip
        self.entries.append(note)
        self.allocations.append(Allocation(note.key, invoice.key, amount, day))
        return amount


def _french_iban(rng: random.Random) -> str:
    """A well-formed French IBAN (RIB key and IBAN check digits right), in groups of four."""
    bank, branch = f"{rng.randrange(10000, 40000):05d}", f"{rng.randrange(0, 100000):05d}"
    account = f"{rng.randrange(0, 10**11):011d}"
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    check = 98 - int(bban + "152700") % 97  # "FR00" moved to the end, F=15 R=27
    iban = f"FR{check:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _with_contact(customer: Customer, number: int, english: bool) -> Customer:
    """Postal address, phone and IBAN of a demo customer, from a generator of its own.

    Its own seed keeps the rest of the demo ledger (amounts, dates, behaviours) unchanged.
    """
    rng = random.Random(f"contact-{number}")
    if english:
        city, postcode, area = rng.choice(UK_CITIES)
        return customer._replace(
            address_line1=f"{rng.randrange(1, 250)} {rng.choice(UK_STREETS)}",
            postal_code=postcode,
            city=city,
            phone=f"+44 {area} {rng.randrange(1000, 10000)} {rng.randrange(1000, 10000)}",
        )
    city = next((c for c in CITIES if c in customer.name), "Lyon")
    codes, region = CITIES[city]
    number_part = rng.randrange(1, 140)
    suffix = rng.choice(("", "", "", "", " bis", " ter"))
    digits = " ".join(f"{rng.randrange(0, 100):02d}" for _ in range(4))
    return customer._replace(
        address_line1=f"{number_part}{suffix} {rng.choice(STREETS)}",
        address_line2=rng.choice(SECOND_LINES) if rng.random() < 0.25 else None,
        postal_code=rng.choice(codes),
        city=city,
        phone=f"+33 {region} {digits}",
        iban=_french_iban(rng).replace(" ", "") if rng.random() < 0.8 else None,
    )


def _customers(rng: random.Random, count: int) -> Iterator[tuple[Customer, Behaviour, PaymentTerms]]:
    behaviours = list(BEHAVIOUR_WEIGHTS)
    weights = list(BEHAVIOUR_WEIGHTS.values())
    for number in range(1, count + 1):
        behaviour = rng.choices(behaviours, weights)[0]
        days = rng.choice((30, 30, 30, 45, 60))
        terms = PaymentTerms(TermsKind.NET, days)
        english = rng.random() < 0.15
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(CITY_WORDS)} {number}"
        customer = Customer(
            customer_id=f"C{number:05d}",
            name=name if not english else f"{name} Ltd",
            country="GB" if english else "FR",
            currency="EUR",
            payment_terms_days=days,
            credit_limit=Decimal(rng.choice((5000, 10000, 25000, 50000, 100000))),
            email=f"compta@client{number:05d}.example",
            language="en" if english else "fr",
            sales_rep=rng.choice(("alice", "bruno", "chloe")),
        )
        customer = _with_contact(customer, number, english)
        yield customer, behaviour, terms


def generate(
    seed: int = 42,
    customers: int = 300,
    until: dt.date = dt.date(2026, 10, 31),
    years: int = 2,
) -> DemoLedger:
    """A ledger of ``customers`` over ``years`` years ending at ``until``."""
    start = until.replace(year=until.year - years)
    builder = _Builder(seed, start, until)
    people = []
    behaviours = {}
    for customer, behaviour, terms in _customers(builder.rng, customers):
        builder.customer_ledger(customer, behaviour, terms)
        people.append(customer)
        behaviours[customer.customer_id] = behaviour
    return DemoLedger(tuple(people), tuple(builder.entries), tuple(builder.allocations), behaviours)
