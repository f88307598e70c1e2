"""Who sent a transfer: by the account it came from, else by the name the bank reports.

The account (IBAN) is the surer sign: the customer file lists the accounts a customer pays
from, and every receipt a person or a confident rule matched teaches its account. The name is
compared without accents, case, punctuation and legal forms (SAS, SARL, GmbH, Ltd...), first
exactly, then fuzzily (rapidfuzz) among the customers sharing a distinctive word with it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz
from stdnum import iban as stdnum_iban
from stdnum.iso7064 import mod_97_10

from encours.domain.remittance import normalise_name

SURE_NAME = 90.0  # a fuzzy score from which the name alone names the customer
CLOSE_NAME = 80.0  # ...from which it is worth suggesting
MARGIN = 5.0  # the best score must lead the next customer's by this much
MAX_CANDIDATES = 200  # customers compared fuzzily with one name, at most
_MIN_WORD = 3


class PayerRule(StrEnum):
    IBAN = "iban"
    NAME = "name"
    CLOSE_NAME = "close_name"  # a guess: suggested only
    LEDGER = "ledger"  # a payment the ledger already files under its customer


class Payer(NamedTuple):
    customer_id: str
    rule: PayerRule
    score: float = 100.0

    @property
    def sure(self) -> bool:
        return self.rule is not PayerRule.CLOSE_NAME


_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")


@lru_cache(maxsize=1 << 18)
def compact_iban(text: str) -> str:
    """An IBAN without spaces, in capitals; "" when its check digits fail (ISO 7064 mod 97-10,
    python-stdnum). Cached: a run meets the same accounts again and again."""
    compact = str(stdnum_iban.compact(text or ""))
    if not _IBAN_SHAPE.fullmatch(compact):
        return ""
    return compact if mod_97_10.is_valid(compact[4:] + compact[:4]) else ""


class KnownCustomer(NamedTuple):
    customer_id: str
    name: str
    ibans: tuple[str, ...] = ()  # compact


class PayerIndex:
    """Customers by account and by name, built once per cash-application run."""

    def __init__(self, customers: Iterable[KnownCustomer], learned: Iterable[tuple[str, str]] = ()) -> None:
        self.by_iban: dict[str, set[str]] = defaultdict(set)
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.by_word: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, str] = {}
        for customer in customers:
            for account in customer.ibans:
                if compacted := compact_iban(account):
                    self.by_iban[compacted].add(customer.customer_id)
            name = normalise_name(customer.name)
            if name:
                self.names[customer.customer_id] = name
                self.by_name[name].add(customer.customer_id)
                for word in name.split():
                    if len(word) >= _MIN_WORD:
                        self.by_word[word].add(customer.customer_id)
        for account, customer_id in learned:
            self.learn(account, customer_id)

    def learn(self, account: str, customer_id: str) -> None:
        if compacted := compact_iban(account):
            self.by_iban[compacted].add(customer_id)

    def by_account(self, account: str) -> set[str]:
        return set(self.by_iban.get(compact_iban(account), ())) if account else set()

    def named(self, name: str) -> list[Payer]:
        """Customers the name designates, best first: several when it is ambiguous, [] when none."""
        normalised = normalise_name(name)
        if not normalised:
            return []
        exact = self.by_name.get(normalised)
        if exact:
            return [Payer(customer_id, PayerRule.NAME) for customer_id in sorted(exact)]
        words = sorted(
            (w for w in normalised.split() if w in self.by_word), key=lambda w: len(self.by_word[w])
        )
        candidates: set[str] = set()
        for word in words:
            if len(candidates) + len(self.by_word[word]) > MAX_CANDIDATES and candidates:
                break
            candidates |= self.by_word[word]
        scored = sorted(
            ((fuzz.token_sort_ratio(normalised, self.names[c]), c) for c in candidates), reverse=True
        )
        if not scored or scored[0][0] < CLOSE_NAME:
            return []
        best, customer_id = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        sure = best >= SURE_NAME and best - runner_up >= MARGIN
        return [Payer(customer_id, PayerRule.NAME if sure else PayerRule.CLOSE_NAME, best)]

    def identify(self, account: str, name: str) -> list[Payer]:
        """The account's one customer, else the name's; several means a person must choose."""
        owners = self.by_account(account)
        if len(owners) == 1:
            return [Payer(owners.pop(), PayerRule.IBAN)]
        named = self.named(name)
        if owners:  # an account shared by several customers: the name may tell which
            named = [p for p in named if p.customer_id in owners] or [
                Payer(c, PayerRule.CLOSE_NAME, 0.0) for c in sorted(owners)
            ]
        return named
