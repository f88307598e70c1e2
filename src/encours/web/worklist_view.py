"""The collector's worklist with filters: every customer to work by priority, a page at a time.

The order is the worklist's rule (``encours.web.worklist``): foresight's expected loss avoided
for the customers it ranked, then overdue amount × days late for everyone else with something
overdue. The whole ranking is computed once per ledger state (per process) with each customer's
place in it; each filter is one indexed query giving a set of customers whose places are looked
up (a request never walks the 100k ranked customers), and the page's 50 rows are enriched with
one query per column (collector, next action, stage, last contact, risk class).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.casework import holds, worklist_facts
from encours.casework.queries import handed_over_ids
from encours.domain.aging import AgedBalance
from encours.dunning import stages
from encours.foresight import priority, risk_classes
from encours.ledger import segments
from encours.ledger.queries import matching_customers
from encours.web import foresight_views
from encours.web.cache import ledger_fingerprint
from encours.web.figures import Figures, engine_of
from encours.web.worklist import WorkItem, fallback_worklist

ALL = 10**9
FORESIGHT_TOP = 500
UNASSIGNED = "-"  # the collector filter for customers nobody follows


class Filters(NamedTuple):
    collector: str = ""  # a user's e-mail, UNASSIGNED, or "" for everyone
    segment: str = ""
    risk: str = ""  # A–D
    stage: str = ""  # a dunning step key
    bucket: str = ""  # the oldest overdue bucket, e.g. "31-60"
    q: str = ""  # a customer number or name, whatever the case and accents

    def active(self) -> bool:
        return any(self)


class Row(NamedTuple):
    item: WorkItem
    bucket: str
    collector: str | None
    next_action: worklist_facts.NextAction | None
    stage: str | None
    last_contact: dt.date | None
    risk: str | None


class WorklistPage(NamedTuple):
    rows: list[Row]
    total: int
    page: int
    pages: int
    buckets: list[str]  # the past-due buckets, for the filter


class Ranking(NamedTuple):
    items: list[WorkItem]
    oldest_bucket: dict[str, str]
    buckets: list[str]


class Ordered(NamedTuple):
    """The ranking with what filters look up: each customer's place, each bucket's places."""

    ranking: Ranking
    place: dict[str, int]
    in_bucket: dict[str, list[int]]  # a bucket's places, in order

    @classmethod
    def of(cls, ranking: Ranking) -> Ordered:
        place = {w.customer_id: i for i, w in enumerate(ranking.items)}
        in_bucket: dict[str, list[int]] = {label: [] for label in ranking.buckets}
        for i, w in enumerate(ranking.items):
            label = ranking.oldest_bucket.get(w.customer_id)
            if label is not None:
                in_bucket.setdefault(label, []).append(i)
        return cls(ranking, place, in_bucket)


class _Last(NamedTuple):
    base: Ranking
    top: object
    ordered: Ordered


RECENT = 4
_recent: list[_Last] = []  # this process's latest ordered rankings, and what each was made of


def _oldest_buckets(balances: list[AgedBalance]) -> dict[str, str]:
    """Each customer's oldest past-due bucket with a positive amount."""
    found: dict[str, tuple[int, str]] = {}  # (bucket index, label): the oldest over currencies
    for balance in balances:
        past_due = [(i, b.label) for i, b in enumerate(balance.buckets) if b.past_due]
        for row in balance.rows:
            oldest = next(((i, label) for i, label in reversed(past_due) if row.amounts[i] > 0), None)
            if oldest is not None and oldest > found.get(row.customer_id, (-1, "")):
                found[row.customer_id] = oldest
    return {cid: label for cid, (_, label) in found.items()}


def ordered(session: Session, figures: Figures, as_of: dt.date) -> Ordered:
    """Everyone with something overdue, by the worklist's rule (whole-ledger, cached per ledger
    state), with the places filters look up: made once per ranking, not once per request."""
    base: Ranking = figures.cached(
        session, "worklist-ranking", (as_of,), lambda: _base(session, figures, as_of)
    )
    top = foresight_views.customer_priority(session, figures, as_of, FORESIGHT_TOP)
    for last in list(_recent):  # the same objects (cached figures), so the same ranking
        if last.base is base and last.top is top:
            return last.ordered
    made = Ordered.of(_with_foresight(base, top))
    _recent[:] = [_Last(base, top, made), *_recent[: RECENT - 1]]
    return made


def _base(session: Session, figures: Figures, as_of: dt.date) -> Ranking:
    balances = figures.aging(session, as_of)
    labels = [b.label for b in balances[0].buckets if b.past_due] if balances else []
    return Ranking(fallback_worklist(balances, ALL), _oldest_buckets(balances), labels)


def _with_foresight(base: Ranking, top: list[priority.CustomerPriority] | None) -> Ranking:
    """Foresight's customers first (expected loss avoided), then everyone else by overdue × days."""
    if not top:
        return base
    first = [
        WorkItem(
            i.customer_id, i.name, "EUR", i.overdue_amount, float(i.expected_loss_avoided),
            f"{i.open_invoices} · {i.max_days_overdue}",
        )
        for i in top
    ]  # fmt: skip
    currency = {w.customer_id: w.currency for w in base.items}
    first = [w._replace(currency=currency.get(w.customer_id, w.currency)) for w in first]
    seen = {w.customer_id for w in first}
    return base._replace(items=first + [w for w in base.items if w.customer_id not in seen])


class Selection(NamedTuple):
    allowed: set[str] | None  # None: every customer
    excluded: set[str]


def _whole_table_set(
    session: Session, figures: Figures, name: str, state: Hashable, args: tuple[str, dt.date | None],
    compute: Callable[[], set[str]],
) -> set[str]:  # fmt: skip
    """A set that reads a whole table (the latest score or dunning step of every customer, the
    hand-overs in force), kept per process under the table's state: what any change moves
    (a new highest id, a new latest release)."""
    key = (str(engine_of(session).url), name, state, *args)
    return figures.cache.get(key, compute)


def select_customers(session: Session, figures: Figures, filters: Filters, as_of: dt.date) -> Selection:
    """The customers the filters let through, one indexed query per filter; handed-over
    customers are left out (they are on the litigation board)."""
    excluded = set(
        _whole_table_set(
            session, figures, "handed-over", holds.holds_state(session), ("", as_of),
            lambda: handed_over_ids(session, as_of),
        )
    )  # fmt: skip
    sets: list[set[str]] = []
    if filters.collector == UNASSIGNED:
        excluded |= worklist_facts.customers_of(session, None)
    elif filters.collector:
        sets.append(worklist_facts.customers_of(session, filters.collector))
    if filters.segment:  # segments come with imports: kept under the ledger's state
        sets.append(
            _whole_table_set(
                session, figures, "segment", ledger_fingerprint(session), (filters.segment, None),
                lambda: segments.customers_in(session, filters.segment),
            )
        )  # fmt: skip
    if filters.risk:
        sets.append(
            _whole_table_set(
                session, figures, "risk-class", risk_classes.scores_state(session), (filters.risk, as_of),
                lambda: risk_classes.customers_in(session, filters.risk, as_of),
            )
        )  # fmt: skip
    if filters.stage:
        sets.append(
            _whole_table_set(
                session, figures, "dunning-stage", stages.actions_state(session), (filters.stage, None),
                lambda: stages.customers_at(session, filters.stage),
            )
        )  # fmt: skip
    if filters.q.strip():
        sets.append(matching_customers(session, filters.q))
    allowed = set.intersection(*sets) if sets else None
    return Selection(allowed, excluded)


def _places(order: Ordered, chosen: Selection, bucket: str) -> Sequence[int]:
    """The ranked places the filters keep, in order: looked up from the filters' customers (or
    the bucket's places), not found by testing every ranked customer."""
    place = order.place
    found: Sequence[int]
    if chosen.allowed is not None:
        found = sorted(i for cid in chosen.allowed if (i := place.get(cid)) is not None)
        if bucket:
            oldest = order.ranking.oldest_bucket
            found = [i for i in found if oldest.get(order.ranking.items[i].customer_id) == bucket]
    elif bucket:
        found = order.in_bucket.get(bucket, [])
    else:
        found = range(len(order.ranking.items))
    out = {i for cid in chosen.excluded if (i := place.get(cid)) is not None}
    return [i for i in found if i not in out] if out else found


def filtered_worklist(
    session: Session, figures: Figures, as_of: dt.date, filters: Filters, page: int = 1, size: int = 50
) -> WorklistPage:
    """One page of the filtered worklist, its rows with what a collector needs to decide."""
    order = ordered(session, figures, as_of)
    ranked = order.ranking
    kept = _places(order, select_customers(session, figures, filters, as_of), filters.bucket)
    pages = max(1, -(-len(kept) // size))
    page = min(max(page, 1), pages)
    shown = [ranked.items[i] for i in kept[(page - 1) * size : page * size]]
    ids = [w.customer_id for w in shown]
    who = worklist_facts.collectors(session, ids)
    nexts = worklist_facts.next_actions(session, ids)
    reached = stages.stages(session, ids)
    calls = worklist_facts.last_calls(session, ids)
    risks = risk_classes.risk_classes(session, ids, as_of)
    rows = []
    for w in shown:
        stage = reached.get(w.customer_id)
        contacts = [d for d in (calls.get(w.customer_id), stage and stage.sent_at) if d]
        cid = w.customer_id
        rows.append(
            Row(
                w, ranked.oldest_bucket.get(cid, ""), who.get(cid), nexts.get(cid),
                stage.step if stage else None, max(contacts).date() if contacts else None, risks.get(cid),
            )
        )  # fmt: skip
    return WorklistPage(rows, len(kept), page, pages, ranked.buckets)


def overdue_total(rows: list[Row]) -> dict[str, Decimal]:
    """The page's overdue amount per currency."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.item.currency] = totals.get(row.item.currency, Decimal(0)) + row.item.overdue
    return totals
