"""Cash application's rules: which open invoices a bank receipt pays, or why that cannot be told.

The rules of SPEC §10, in order: a structured creditor reference (``RF..``); invoice numbers in
the remittance text (normalised); the amount equal to one open invoice of the identified
customer, or to a combination of its oldest open invoices; the payer identified by account,
else by name. A shortfall up to the bank-charge tolerance settles the invoice (booked as a
charge); a smaller amount on a named invoice is a partial payment. A receipt equal to one
already in the ledger (same customer and amount, within five days) is that receipt, not new
money. Only confident decisions are ``matched``; the rest are ``suggested`` or ``unmatched``,
each with a reason. Pure: the service loads the book, this decides, the service stores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from encours.domain import creditor_reference as rf
from encours.domain.bank_charges import ChargeTolerance
from encours.domain.cash_reasons import Reason
from encours.domain.combinations import MAX_INVOICES, combinations
from encours.domain.invoice_numbers import lookup_keys, normalise_compact, normalise_number, plain, readings
from encours.domain.money import from_cents, round_cents, to_cents
from encours.domain.payers import KnownCustomer, Payer, PayerIndex, PayerRule

DUPLICATE_DAYS = 5  # a ledger receipt this close in date, same customer and amount, is the same money
ZERO = Decimal(0)
DEFAULT_TOLERANCE = ChargeTolerance()


class Status(StrEnum):
    MATCHED = "matched"
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"
    DUPLICATE = "duplicate"


class Rule(StrEnum):
    CREDITOR_REFERENCE = "creditor_reference"
    INVOICE_NUMBER = "invoice_number"
    AMOUNT = "amount"
    COMBINATION = "combination"
    PAYER = "payer"  # the payer known, nothing to settle: left on its account
    LEDGER_RECEIPT = "ledger_receipt"  # a duplicate of a receipt in the ledger
    MANUAL = "manual"


class OpenInvoice(NamedTuple):
    key: str  # the ledger's key, never shown
    number: str  # as the user knows it
    customer_id: str
    currency: str
    date: dt.date
    due_date: dt.date
    open_amount: Decimal  # positive


class BankReceipt(NamedTuple):
    receipt_id: str
    date: dt.date
    amount: Decimal  # positive
    currency: str
    payer: str
    account: str  # the payer's IBAN as the bank reports it, "" when none
    remittance: str
    customer_id: str | None = None  # an unapplied payment of the ledger: its customer is known


class LedgerReceipt(NamedTuple):
    """A payment already in the ledger (e.g. a lettered FEC line) a bank credit may duplicate."""

    key: str
    reference: str  # as the user knows it
    customer_id: str
    currency: str
    date: dt.date
    amount: Decimal  # positive


class Allocated(NamedTuple):
    invoice_key: str
    invoice_number: str
    amount: Decimal  # of the receipt
    charge: Decimal = ZERO  # the shortfall booked as bank charges on this invoice


class Decision(NamedTuple):
    receipt_id: str
    status: Status
    customer_id: str | None = None
    rule: Rule | None = None
    reasons: tuple[Reason, ...] = ()
    allocations: tuple[Allocated, ...] = ()
    duplicate_of: LedgerReceipt | None = None

    @property
    def charges(self) -> Decimal:
        return sum((a.charge for a in self.allocations), ZERO)

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)


class CashBook:
    """The open invoices, customers and ledger receipts one run matches against, indexed once.

    ``apply`` decides receipts in date order and lets each matched one reduce what is open, so
    two receipts never settle the same invoice twice.
    """

    def __init__(
        self,
        invoices: Iterable[OpenInvoice],
        customers: Iterable[KnownCustomer],
        ledger_receipts: Iterable[LedgerReceipt] = (),
        learned_accounts: Iterable[tuple[str, str]] = (),
        tolerance: ChargeTolerance = DEFAULT_TOLERANCE,
    ) -> None:
        known = list(customers)
        self.payers = PayerIndex(known, learned_accounts)
        self.customer_by_compact: dict[str, set[str]] = defaultdict(set)
        self.customer_by_hash: dict[str, str] = {}
        for customer in known:
            self.customer_by_compact[rf.compact_id(customer.customer_id)].add(customer.customer_id)
            hashed = rf.hashed_body(rf.Target.CUSTOMER, customer.customer_id)
            if hashed:
                self.customer_by_hash[hashed] = customer.customer_id
        self.tolerance = tolerance
        self.invoices: dict[str, OpenInvoice] = {}
        self.open: dict[str, Decimal] = {}
        self.by_compact: dict[str, list[str]] = defaultdict(list)
        self.by_normalised: dict[str, list[str]] = defaultdict(list)
        self.by_hash: dict[str, list[str]] = defaultdict(list)
        self.by_customer: dict[str, list[str]] = defaultdict(list)
        for invoice in invoices:
            self.invoices[invoice.key] = invoice
            self.open[invoice.key] = invoice.open_amount
            compact = rf.compact_id(invoice.number if invoice.number.isascii() else plain(invoice.number))
            self.by_compact[compact].append(invoice.key)
            self.by_normalised[normalise_compact(compact)].append(invoice.key)
            self.by_customer[invoice.customer_id].append(invoice.key)
            if not compact or len(compact) >= rf.BODY_MAX:  # printed hashed (creditor_reference)
                self.by_hash[rf.hashed_body(rf.Target.INVOICE, invoice.number)].append(invoice.key)
        self.ordered: set[str] = set()  # customers whose invoices are sorted oldest first
        self.ledger_receipts: dict[str, list[LedgerReceipt]] = defaultdict(list)
        for receipt in ledger_receipts:
            self.ledger_receipts[receipt.customer_id].append(receipt)
        self.linked: set[str] = set()

    def _of_customer(self, customer_id: str) -> list[str]:
        """The customer's invoices, oldest due first (sorted once, when first asked)."""
        keys = self.by_customer.get(customer_id, [])
        if customer_id not in self.ordered:
            keys.sort(
                key=lambda k: (self.invoices[k].due_date, self.invoices[k].date, self.invoices[k].number, k)
            )
            self.ordered.add(customer_id)
        return keys

    # -- what a receipt points at --------------------------------------------------------
    def _open_keys(self, keys: Iterable[str], currency: str) -> list[str]:
        return [k for k in dict.fromkeys(keys) if self.open[k] > 0 and self.invoices[k].currency == currency]

    def referenced(self, receipt: BankReceipt) -> tuple[list[str], set[str]]:
        """Invoices and customers named by valid creditor references."""
        keys: list[str] = []
        customers: set[str] = set()
        for found in rf.found_in(receipt.remittance):
            if found.target is rf.Target.INVOICE:
                keys += (
                    self.by_hash.get(found.body, []) if found.hashed else self.by_compact.get(found.body, [])
                )
            elif found.hashed:
                customers |= (
                    {self.customer_by_hash[found.body]} if found.body in self.customer_by_hash else set()
                )
            else:
                customers |= self.customer_by_compact.get(found.body, set())
        return keys, customers

    def numbered(self, receipt: BankReceipt) -> tuple[list[str], set[str]]:
        """Invoices whose number the remittance text holds, and those read exactly (not loosely)."""
        keys: list[str] = []
        exact: set[str] = set()
        for key, is_exact in lookup_keys(receipt.remittance):
            found = (self.by_compact if is_exact else self.by_normalised).get(key, [])
            keys += found
            if is_exact:
                exact.update(found)
        return keys, exact

    def _near_numbers(self, receipt: BankReceipt, keys: Sequence[str]) -> list[str]:
        """Among ``keys``, the invoices the text names with one typo (a number of five characters or more)."""
        words = {r.normalised for r in readings(receipt.remittance) if len(r.normalised) >= 5}
        return [
            k
            for k in keys
            if len(number := normalise_number(self.invoices[k].number)) >= 5
            and any(Levenshtein.distance(number, w, score_cutoff=1) <= 1 for w in words)
        ]

    def _duplicate(self, receipt: BankReceipt, customers: set[str]) -> LedgerReceipt | None:
        window = dt.timedelta(days=DUPLICATE_DAYS)
        for customer_id in sorted(customers):
            for known in self.ledger_receipts.get(customer_id, ()):
                if (
                    known.key not in self.linked
                    and known.amount == receipt.amount
                    and known.currency == receipt.currency
                    and abs(known.date - receipt.date) <= window
                ):
                    return known
        return None

    # -- deciding ----------------------------------------------------------------------------
    def decide(self, receipt: BankReceipt) -> Decision:
        """What to do with one receipt, given what is open now (nothing is changed)."""
        if receipt.customer_id is not None:
            payers = [Payer(receipt.customer_id, PayerRule.LEDGER)]
        else:
            payers = self.payers.identify(receipt.account, receipt.payer)
        sure = payers[0] if len(payers) == 1 and payers[0].sure else None
        ref_keys, ref_customers = self.referenced(receipt)
        number_keys, exact = self.numbered(receipt)
        hinted = {self.invoices[k].customer_id for k in ref_keys + number_keys} | ref_customers
        candidates = hinted | ({sure.customer_id} if sure else set())
        duplicate = None if receipt.customer_id is not None else self._duplicate(receipt, candidates)
        if duplicate is not None:
            reason = Reason.of("duplicate", receipt=duplicate.reference, date=duplicate.date.isoformat())
            return Decision(
                receipt.receipt_id, Status.DUPLICATE, duplicate.customer_id, Rule.LEDGER_RECEIPT,
                (reason,), duplicate_of=duplicate,
            )  # fmt: skip
        if ref_keys:
            return self._settle(receipt, ref_keys, Rule.CREDITOR_REFERENCE, confirmed=True)
        if len(ref_customers) == 1:
            return self._by_amount(
                receipt, Payer(next(iter(ref_customers)), PayerRule.IBAN), Rule.CREDITOR_REFERENCE
            )
        if number_keys:
            return self._by_number(receipt, number_keys, exact, sure)
        if sure is not None:
            return self._by_amount(receipt, sure, None)
        return self._unsure_payer(receipt, payers)

    def _by_number(
        self, receipt: BankReceipt, keys: list[str], exact: set[str], sure: Payer | None
    ) -> Decision:
        keys = [k for k in keys if k in exact] or keys  # a number spelt as stored beats looser readings
        customers = {self.invoices[k].customer_id for k in keys}
        if len(customers) > 1 and sure is not None and sure.customer_id in customers:
            keys = [k for k in keys if self.invoices[k].customer_id == sure.customer_id]
            customers = {sure.customer_id}
        if len(customers) > 1:  # the amount may tell which reading was meant
            settling = [k for k in keys if self.tolerance.settles(receipt.amount, self.open[k])]
            if len({self.invoices[k].customer_id for k in settling}) == 1:
                keys, customers = settling, {self.invoices[settling[0]].customer_id}
        if len(customers) > 1:
            near = self._mistyped(receipt, sure.customer_id, exclude=keys) if sure is not None else None
            if near is not None and sure is not None:
                allocations = self._allocate([near], receipt.amount)
                return self._matched(receipt, sure.customer_id, Rule.INVOICE_NUMBER, allocations)
            reason = Reason.of("several_customers", customers=tuple(sorted(customers)))
            return Decision(receipt.receipt_id, Status.SUGGESTED, None, Rule.INVOICE_NUMBER, (reason,))
        customer_id = customers.pop()
        paying = sure.customer_id if sure is not None else customer_id
        due = sum((self.open[k] for k in self._open_keys(keys, receipt.currency)), ZERO)
        if not self.tolerance.settles(receipt.amount, due):
            # sequential numbers are dense: a mistyped one often names another invoice; the
            # payer's invoice of exactly this amount, one typo away, is the one meant
            near = self._mistyped(receipt, paying, exclude=keys)
            if near is not None:
                return self._matched(
                    receipt, paying, Rule.INVOICE_NUMBER, self._allocate([near], receipt.amount)
                )
        if sure is not None and sure.customer_id != customer_id:
            reason = Reason.of(
                "payer_conflict", invoices=self._numbers(keys), customer=customer_id, payer=sure.customer_id
            )
            return self._settle(receipt, keys, Rule.INVOICE_NUMBER, confirmed=False, forced=reason)
        # the number alone settles what it names; a different amount needs the payer to confirm it
        confirmed = sure is not None and sure.customer_id == customer_id
        return self._settle(receipt, keys, Rule.INVOICE_NUMBER, confirmed)

    def _mistyped(self, receipt: BankReceipt, customer_id: str, exclude: Sequence[str]) -> str | None:
        """The customer's one open invoice the amount settles whose number the text names with a typo."""
        settled = [
            k
            for k in self._open_keys(self._of_customer(customer_id), receipt.currency)
            if k not in exclude and self.tolerance.settles(receipt.amount, self.open[k])
        ]
        near = self._near_numbers(receipt, settled)
        return near[0] if len(near) == 1 else None

    def _numbers(self, keys: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.invoices[k].number for k in dict.fromkeys(keys))

    def _ordered(self, keys: Iterable[str]) -> list[str]:
        return sorted(
            dict.fromkeys(keys), key=lambda k: (self.invoices[k].due_date, self.invoices[k].date, k)
        )

    def _settle(
        self, receipt: BankReceipt, keys: list[str], rule: Rule, confirmed: bool, forced: Reason | None = None
    ) -> Decision:
        """A receipt naming invoices: settles them, in part, or more than them."""
        named = self._ordered(keys)
        keys = self._ordered(self._open_keys(keys, receipt.currency))
        if not keys:
            reason = Reason.of("settled_already", invoices=self._numbers(named))
            return Decision(
                receipt.receipt_id, Status.UNMATCHED, self.invoices[named[0]].customer_id, rule, (reason,)
            )
        customer_id = self.invoices[keys[0]].customer_id
        due = sum((self.open[k] for k in keys), ZERO)
        allocations = self._allocate(keys, receipt.amount)
        reasons: list[Reason] = []
        if self.tolerance.settles(receipt.amount, due):
            pass
        elif receipt.amount < due:
            reasons.append(
                Reason.of(
                    "partial",
                    invoices=self._numbers(keys),
                    paid=receipt.amount,
                    due=due,
                    left=due - receipt.amount,
                )
            )
        else:
            reasons.append(
                Reason.of(
                    "overpaid",
                    excess=receipt.amount - due,
                    invoices=self._numbers(keys),
                    customer=customer_id,
                )
            )
        settles_exactly = self.tolerance.settles(receipt.amount, due)
        if forced is not None or not (confirmed or settles_exactly):
            why = forced or Reason.of(
                "unconfirmed_number",
                invoices=self._numbers(keys),
                customer=customer_id,
                due=due,
                amount=receipt.amount,
            )
            return Decision(receipt.receipt_id, Status.SUGGESTED, customer_id, rule, (why,), allocations)
        return self._matched(receipt, customer_id, rule, allocations, reasons)

    def _allocate(
        self, keys: Sequence[str], amount: Decimal, settle_all: bool = False
    ) -> tuple[Allocated, ...]:
        """Oldest first; when ``amount`` is short of the whole by the tolerance, the last takes the charge."""
        due = sum((self.open[k] for k in keys), ZERO)
        charged = settle_all or self.tolerance.settles(amount, due)
        left = amount
        result = []
        for index, key in enumerate(keys):
            owed = self.open[key]
            paid = min(left, owed)
            charge = owed - paid if charged and index == len(keys) - 1 and owed > paid else ZERO
            if paid <= 0 and charge <= 0:
                break
            result.append(Allocated(key, self.invoices[key].number, paid, charge))
            left -= paid
        return tuple(result)

    def _matched(
        self, receipt: BankReceipt, customer_id: str, rule: Rule, allocations: tuple[Allocated, ...],
        reasons: Sequence[Reason] = (),
    ) -> Decision:  # fmt: skip
        charges = sum((a.charge for a in allocations), ZERO)
        notes = [*reasons, *([Reason.of("bank_charges", charges=charges)] if charges else [])]
        return Decision(receipt.receipt_id, Status.MATCHED, customer_id, rule, tuple(notes), allocations)

    def _by_amount(self, receipt: BankReceipt, payer: Payer, rule_on_account: Rule | None) -> Decision:
        """The identified customer's open invoices: one of the amount, else a combination, else on account."""
        customer_id = payer.customer_id
        keys = [
            k
            for k in self._open_keys(self._of_customer(customer_id), receipt.currency)
            if self.invoices[k].date <= receipt.date
        ]
        rule = rule_on_account or Rule.AMOUNT
        # exact amounts first (one invoice, then several), then within the bank-charge tolerance
        for exact in (True, False):
            if exact:
                single = [k for k in keys if self.open[k] == receipt.amount]
            else:
                single = [k for k in keys if self.tolerance.settles(receipt.amount, self.open[k])]
            if single:
                return self._single(receipt, customer_id, single, rule)
            combined = self._combination(receipt, keys[:MAX_INVOICES], exact)
            if combined is not None:
                return combined._replace(customer_id=customer_id)
        if payer.rule is PayerRule.LEDGER:
            reason = Reason.of("stays_unapplied", customer=customer_id, amount=receipt.amount)
            return Decision(receipt.receipt_id, Status.UNMATCHED, customer_id, None, (reason,))
        if payer.rule is PayerRule.IBAN:
            reason = Reason.of("on_account", customer=customer_id, amount=receipt.amount)
            return Decision(
                receipt.receipt_id, Status.MATCHED, customer_id, rule_on_account or Rule.PAYER, (reason,)
            )
        reason = Reason.of("name_only", customer=customer_id, amount=receipt.amount)
        return Decision(receipt.receipt_id, Status.SUGGESTED, customer_id, Rule.PAYER, (reason,))

    def _single(self, receipt: BankReceipt, customer_id: str, found: list[str], rule: Rule) -> Decision:
        """One invoice of the amount: matched; several: the one named with a typo, else a question."""
        if len(found) > 1:
            named = self._near_numbers(receipt, found)
            found = named if len(named) == 1 else found
        if len(found) == 1:
            return self._matched(receipt, customer_id, rule, self._allocate(found, receipt.amount))
        reason = Reason.of(
            "same_amount", count=len(found), customer=customer_id, amount=receipt.amount,
            invoices=self._numbers(found),
        )  # fmt: skip
        return Decision(
            receipt.receipt_id, Status.SUGGESTED, customer_id, Rule.AMOUNT, (reason,),
            self._allocate(found[:1], receipt.amount),
        )  # fmt: skip

    def _combination(self, receipt: BankReceipt, keys: list[str], exact: bool) -> Decision | None:
        cents = [to_cents(self.open[k]) for k in keys]
        target = to_cents(receipt.amount)
        # a shortfall on the total of up to the tolerance (of a total slightly above the amount)
        slack = (
            0
            if exact
            else to_cents(min(self.tolerance.cap, round_cents(receipt.amount * self.tolerance.rate * 2)))
        )
        if not exact and slack == 0:
            return None
        found = combinations(cents, target, target + slack)
        solutions = [
            s
            for s in found.found
            if self.tolerance.settles(receipt.amount, from_cents(sum(cents[i] for i in s)))
        ]
        if not solutions:
            return None
        chosen = [keys[i] for i in solutions[0]]
        allocations = self._allocate(chosen, receipt.amount)
        if len(solutions) == 1 and found.complete:
            return self._matched(receipt, "", Rule.COMBINATION, allocations)
        reason = Reason.of(
            "several_combinations", customer=self.invoices[keys[0]].customer_id, amount=receipt.amount,
            invoices=self._numbers(chosen),
        )  # fmt: skip
        return Decision(receipt.receipt_id, Status.SUGGESTED, None, Rule.COMBINATION, (reason,), allocations)

    def _unsure_payer(self, receipt: BankReceipt, payers: list[Payer]) -> Decision:
        if len(payers) > 1:
            reason = Reason.of("several_payers", customers=tuple(p.customer_id for p in payers))
            return Decision(receipt.receipt_id, Status.SUGGESTED, None, Rule.PAYER, (reason,))
        if payers:
            guess = self._by_amount(receipt, payers[0], None)
            reason = Reason.of("close_name", payer=receipt.payer, customer=payers[0].customer_id)
            return guess._replace(status=Status.SUGGESTED, reasons=(reason, *guess.reasons))
        code = "unknown_payer" if receipt.payer.strip() else "no_payer"
        values = {"payer": receipt.payer.strip()} if receipt.payer.strip() else {}
        return Decision(receipt.receipt_id, Status.UNMATCHED, reasons=(Reason.of(code, **values),))

    # -- a run ---------------------------------------------------------------------------
    def keep(self, decision: Decision, account: str = "") -> None:
        """A decision applied: what it settled is no longer open; its account now names its customer."""
        for allocation in decision.allocations:
            self.open[allocation.invoice_key] -= allocation.amount + allocation.charge
        if decision.customer_id and account and decision.status is Status.MATCHED:
            self.payers.learn(account, decision.customer_id)

    def apply(self, receipts: Iterable[BankReceipt]) -> list[Decision]:
        """Decide receipts oldest first; matched decisions are kept before the next receipt is seen."""
        decisions = []
        for receipt in sorted(receipts, key=lambda r: (r.date, r.receipt_id)):
            decision = self.decide(receipt)
            if decision.status is Status.MATCHED:
                self.keep(decision, receipt.account)
            elif decision.duplicate_of is not None:  # one ledger receipt is the same money once
                self.linked.add(decision.duplicate_of.key)
            decisions.append(decision)
        return decisions
