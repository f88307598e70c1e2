"""The collector's worklist with filters: every customer to work by priority, a page at a time.

The order is the worklist's rule (``encours.web.worklist``): foresight's expected loss avoided
for the customers it ranked, then overdue amount × days late for everyone else with something
overdue. The whole ranking is computed once per ledger state (per process) with each customer's
place in it and a directory of every customer (key, segment, folded number and name); each filter
gives places as arrays: a collector's customers from one index probe on customer keys, segments
and the search from the directory, risk classes, dunning stages and hand-overs read for every
value at once and kept under their table's state (a request never walks the 100k ranked
customers). The page's 50 rows are enriched with three queries (casework's facts, the dunning
stage, the risk class).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from encours.casework import holds, worklist_facts
from encours.casework.queries import handed_over_ids
from encours.domain.aging import AgedBalance
from encours.domain.text_fold import fold
from encours.dunning import stages
from encours.foresight import priority, risk_classes
from encours.ledger.queries import matching_customers
from encours.web import foresight_views
from encours.web.figures import Figures
from encours.web.worklist import WorkItem, fallback_worklist

Places = npt.NDArray[np.int64]  # places in the ranking, sorted
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
    segments: list[str]  # every customer's segment, for the filter


class Ranking(NamedTuple):
    items: list[WorkItem]
    oldest_bucket: dict[str, str]
    buckets: list[str]


RANKING = TypeAdapter(Ranking)  # stored by the figures job: a new process reads it (~0.4 s for
# 100k customers) instead of ranking the whole aged balance itself on its first worklist


class Directory(NamedTuple):
    """Every customer as the filters look them up, read once per ranking: each customer key's
    place (-1: not ranked), each segment's places, the segments, and the ranked customers'
    folded numbers and names, one line per place, for the search."""

    place_of_key: Places
    in_segment: dict[str, Places]
    segments: list[str]
    search_text: str
    line_starts: Places


def _directory(ranking: Ranking, place: dict[str, int], session: Session) -> Directory:
    customers = worklist_facts.every_customer(session)
    place_of_key = np.full(max((c.pk for c in customers), default=0) + 1, -1, dtype=np.int64)
    lines = ["\t\n"] * len(ranking.items)  # a ranked customer missing from the table matches nothing
    in_segment: dict[str, list[int]] = {}
    for c in customers:
        at = place.get(c.customer_id)
        if at is not None:
            place_of_key[c.pk] = at
            lines[at] = f"{c.customer_id}\t{c.name}".replace("\n", "\t") + "\n"  # no needle holds either
            if c.segment is not None:
                in_segment.setdefault(c.segment, []).append(at)
    text = fold("".join(lines))  # once for all: one line per place
    ends = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == ord("\n"))
    return Directory(
        place_of_key, {name: np.array(sorted(found), dtype=np.int64) for name, found in in_segment.items()},
        sorted({c.segment for c in customers if c.segment}), text, np.concatenate(([0], ends[:-1] + 1)),
    )  # fmt: skip


class Ordered:
    """The ranking with what filters look up: each customer's place in it, each bucket's places,
    the customer directory (keys, segments, search) and the places of the whole-table filters
    (risk class, dunning stage, hand-overs), kept with the ranking under their table's state
    so a request never walks every customer."""

    def __init__(self, ranking: Ranking) -> None:
        self.ranking = ranking
        self.place = {w.customer_id: i for i, w in enumerate(ranking.items)}
        self.everyone: Places = np.arange(len(ranking.items), dtype=np.int64)
        buckets: dict[str, list[int]] = {label: [] for label in ranking.buckets}
        for i, w in enumerate(ranking.items):
            label = ranking.oldest_bucket.get(w.customer_id)
            if label is not None:
                buckets.setdefault(label, []).append(i)
        self.in_bucket = {label: np.array(found, dtype=np.int64) for label, found in buckets.items()}
        self._memo: dict[Hashable, dict[str, Places]] = {}
        self._directory: Directory | None = None
        self._searches: dict[str, Places] = {}
        self._lock = threading.RLock()  # fifty clients missing the same set read it once

    def places(self, customer_ids: Iterable[str]) -> Places:
        """The ranked places of these customers, in order (customers not ranked left out)."""
        get = self.place.get
        found = np.fromiter((i for cid in customer_ids if (i := get(cid)) is not None), dtype=np.int64)
        found.sort()
        return found

    def directory(self, session: Session) -> Directory:
        """Every customer's place, segment and search line, read on the first request needing it."""
        if self._directory is None:
            with self._lock:
                if self._directory is None:
                    self._directory = _directory(self.ranking, self.place, session)
        return self._directory

    def places_of_keys(self, session: Session, keys: Places) -> Places:
        """The ranked places of the customers with these keys, in order."""
        place_of_key = self.directory(session).place_of_key
        found = place_of_key[keys[keys < len(place_of_key)]]  # a customer added since: not ranked
        kept: Places = np.sort(found[found >= 0])
        return kept

    def matching(self, session: Session, search: str) -> Places:
        """The places of the customers whose number or name contains ``search``, whatever the
        case and accents (``fold``, as the SQL search): a scan of one string, not of the table,
        kept for the next pages of the same search."""
        needle = fold(search.strip())
        if "\t" in needle or "\n" in needle:  # cannot be in a line: the table says
            return self.places(matching_customers(session, search))
        found = self._searches.get(needle)
        if found is None:
            found = self._scan(session, needle)
            if len(self._searches) >= SEARCHES:
                self._searches.clear()
            self._searches[needle] = found
        return found

    def _scan(self, session: Session, needle: str) -> Places:
        found = self.directory(session)
        text, find, at, hits = found.search_text, found.search_text.find, 0, []
        while (at := find(needle, at)) >= 0:
            hits.append(at)
            at = text.index("\n", at)  # on to the next customer
        places: Places = np.searchsorted(found.line_starts, np.array(hits, dtype=np.int64), "right") - 1
        return places

    def kept(self, key: Hashable, customers: Callable[[], dict[str, set[str]]]) -> dict[str, Places]:
        """The places of a whole-table filter's every value, read once per ``key`` (the filter,
        its table's state)."""
        found = self._memo.get(key)
        if found is None:
            with self._lock:
                found = self._memo.get(key)
                if found is None:
                    found = {value: self.places(ids) for value, ids in customers().items()}
                    if len(self._memo) >= MEMO:
                        self._memo.clear()
                    self._memo[key] = found
        return found


class _Last(NamedTuple):
    base: Ranking
    top: object
    ordered: Ordered


RECENT = 4  # ordered rankings kept (a few dates, or a ledger state and the next)
MEMO = 64  # whole-table filters kept per ranking
SEARCHES = 256  # searches kept per ranking (their next pages, the same search by others)
EMPTY: Places = np.zeros(0, dtype=np.int64)
NO_FACTS = worklist_facts.PageFacts(None, None, None)
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
    base = figures.cached(
        session, "worklist-ranking", (as_of,), lambda: _base(session, figures, as_of), RANKING
    )
    top = foresight_views.customer_priority(session, figures, as_of, FORESIGHT_TOP)
    for last in list(_recent):  # the same objects (cached figures), so the same ranking
        if last.base is base and last.top is top:
            return last.ordered
    made = Ordered(_with_foresight(base, top))
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


def _without(found: Places, out: Places) -> Places:
    """``found`` less the places in ``out`` (both sorted)."""
    if not len(out) or not len(found):
        return found
    at = np.minimum(np.searchsorted(out, found), len(out) - 1)
    kept: Places = found[out[at] != found]
    return kept


def _followed(session: Session, order: Ordered, collector: str | None) -> Places:
    """The places of a collector's customers (``None``: of every customer someone follows)."""
    return order.places_of_keys(session, worklist_facts.customer_keys_of(session, collector))


def kept_places(session: Session, order: Ordered, filters: Filters, as_of: dt.date) -> Places:
    """The ranked places the filters keep, in order: each filter gives its customers' places
    (the whole-table ones kept under their table's state, a collector's from one index probe),
    intersected; handed-over customers are left out (they are on the litigation board)."""
    out = order.kept(
        ("handed-over", holds.holds_state(session), as_of),
        lambda: {"": handed_over_ids(session, as_of)},
    ).get("", EMPTY)
    keep: list[Places] = []
    if filters.collector == UNASSIGNED:
        out = np.union1d(out, _followed(session, order, None))
    elif filters.collector:
        keep.append(_followed(session, order, filters.collector))
    if filters.segment:  # segments come with imports: the ranking's ledger state
        keep.append(order.directory(session).in_segment.get(filters.segment, EMPTY))
    if filters.risk:
        risk: Hashable = ("risk-class", risk_classes.scores_state(session), as_of)
        classes = order.kept(risk, lambda: risk_classes.customers_by_class(session, as_of))
        keep.append(classes.get(filters.risk, EMPTY))
    if filters.stage:
        stage: Hashable = ("dunning-stage", stages.actions_state(session))
        keep.append(order.kept(stage, lambda: stages.customers_by_step(session)).get(filters.stage, EMPTY))
    if filters.q.strip():
        keep.append(order.matching(session, filters.q))
    if filters.bucket:
        keep.append(order.in_bucket.get(filters.bucket, EMPTY))
    found = keep[0] if keep else order.everyone
    for more in keep[1:]:
        found = np.intersect1d(found, more, assume_unique=True)
    return _without(found, out)


def filtered_worklist(
    session: Session, figures: Figures, as_of: dt.date, filters: Filters, page: int = 1, size: int = 50
) -> WorklistPage:
    """One page of the filtered worklist, its rows with what a collector needs to decide."""
    order = ordered(session, figures, as_of)
    ranked = order.ranking
    kept = kept_places(session, order, filters, as_of)
    pages = max(1, -(-len(kept) // size))
    page = min(max(page, 1), pages)
    shown = [ranked.items[int(i)] for i in kept[(page - 1) * size : page * size]]
    ids = [w.customer_id for w in shown]
    facts = worklist_facts.page_facts(session, ids)
    reached = stages.stages(session, ids)
    risks = risk_classes.risk_classes(session, ids, as_of)
    rows = []
    for w in shown:
        cid = w.customer_id
        stage = reached.get(cid)
        fact = facts.get(cid, NO_FACTS)
        contacts = [d for d in (fact.last_call, stage and stage.sent_at) if d]
        rows.append(
            Row(
                w, ranked.oldest_bucket.get(cid, ""), fact.collector, fact.next_action,
                stage.step if stage else None, max(contacts).date() if contacts else None, risks.get(cid),
            )
        )  # fmt: skip
    return WorklistPage(rows, len(kept), page, pages, ranked.buckets, order.directory(session).segments)


def overdue_total(rows: list[Row]) -> dict[str, Decimal]:
    """The page's overdue amount per currency."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.item.currency] = totals.get(row.item.currency, Decimal(0)) + row.item.overdue
    return totals
