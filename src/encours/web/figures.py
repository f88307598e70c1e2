"""Whole-ledger figures (aged balance, KPIs, trends, models) computed once per ledger state.

Three levels: the process's memory (encours.web.cache), then the database snapshots shared
by the server's worker processes (encours.web.figure_store), then the computation itself.
Slow figures (a dozen whole-ledger passes, a model to train) are never computed by a page:
a ``figures`` job (encours.web.figure_jobs, queued after each import and on a page's miss)
computes them on a worker with ``Figures(synchronous=True)`` and stores their snapshots,
which every web process then reads; pages show the last value meanwhile.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from encours.analytics.aging import aged_balance
from encours.analytics.kpi import kpis
from encours.analytics.runner import AlchemyRunner
from encours.domain.aging import AgedBalance
from encours.domain.kpi import Kpis
from encours.jobs import service as jobs
from encours.settings import DEFAULT_FORESIGHT_MAX_ENTRIES
from encours.storage.database import unit_of_work
from encours.web import figure_store
from encours.web.cache import FigureCache, ledger_fingerprint

T = TypeVar("T")
log = logging.getLogger(__name__)

TREND = TypeAdapter(list[tuple[dt.date, Kpis]])
MAX_REMEMBERED = 256  # figures found computed elsewhere, forgotten past this many
KEPT_SECONDS = figure_store.KEEP_DAYS * 86400.0  # how long a stored snapshot stays (then deleted)


def engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


class Figures:
    """The server process's whole-ledger figures."""

    def __init__(
        self,
        cache: FigureCache | None = None,
        foresight_max_entries: int = DEFAULT_FORESIGHT_MAX_ENTRIES,
        *,
        synchronous: bool = False,
    ) -> None:
        self.cache = cache or FigureCache()
        # True in the figures job: slow figures are computed here and now, and stored
        self.synchronous = synchronous
        # above this many entries, foresight's model is left to `encours forecast`
        self.foresight_max_entries = foresight_max_entries
        self._latest: dict[Hashable, Any] = {}
        self._elsewhere: dict[Hashable, float] = {}  # figures jobs this process queued, and when
        self._guard = threading.Lock()

    def _key(self, session: Session, name: str, *args: Hashable) -> tuple[Any, ...]:
        return (str(engine_of(session).url), name, ledger_fingerprint(session), *args)

    @staticmethod
    def _snapshot_key(key: tuple[Any, ...]) -> str:
        return figure_store.snapshot_key(key[1], key[2:])  # the figure, ledger state, arguments

    def cached(
        self,
        session: Session,
        name: str,
        args: tuple[Any, ...],
        compute: Callable[[], T],
        shape: TypeAdapter[T] | None = None,
    ) -> T:
        """Any figure of the whole ledger, computed once per ledger state and arguments; with a
        ``shape`` (how to store it as JSON) also shared with the other worker processes."""
        key = self._key(session, name, *args)
        if shape is None:
            return self.cache.get(key, compute)

        def shared() -> T:
            snapshot = self._snapshot_key(key)
            stored = figure_store.load(session, snapshot, shape, self.cache.ttl)
            if stored is not None:
                return stored
            # older than the TTL but of the same ledger state (a figures job stored it): shown at
            # once while a job refreshes it, so the first page after a quiet spell never computes
            kept = None if self.synchronous else figure_store.load(session, snapshot, shape, KEPT_SECONDS)
            if kept is not None:
                self._request(session, key, args)
                return kept
            with unit_of_work(engine_of(session)) as own:  # the request's session only reads
                figure_store.lock(own, snapshot)  # a process computing it: wait, then read it
                stored = figure_store.load(own, snapshot, shape, self.cache.ttl)
                if stored is not None:
                    return stored
                value = compute()
                figure_store.save(own, snapshot, name, value, shape)  # stored as it unlocks
            return value

        return self.cache.get(key, shared)

    def background(
        self,
        session: Session,
        name: str,
        args: tuple[Any, ...],
        compute: Callable[[Session], T],
        shape: TypeAdapter[T],
    ) -> T | None:
        """A slow figure: the cached or shared value, else the last one computed for these
        arguments (while the figures job computes a fresh one), else None. Synchronous (in
        the job): computed now."""
        key = self._key(session, name, *args)
        found, value = self.cache.peek(key)
        if found:
            return value  # type: ignore[no-any-return]
        stored = figure_store.load(session, self._snapshot_key(key), shape, self.cache.ttl)
        stable = (key[0], name, *args)
        if stored is not None:
            self.cache.put(key, stored)
            self._latest[stable] = stored
            return stored
        if self.synchronous:
            self._compute(engine_of(session), key, stable, compute, shape)
            return self._latest.get(stable)
        self._request(session, key, args)
        return self._latest.get(stable)

    def _request(self, session: Session, key: tuple[Any, ...], args: tuple[Any, ...]) -> None:
        """Queue the figures job for this ledger state and date, once per state, date and TTL."""
        as_of = next((a for a in args if isinstance(a, dt.date)), None)
        window = int(time.time() // self.cache.ttl)
        dedupe = f"figures:{figure_store.snapshot_key('state', key[2:3])[:24]}:{as_of}:{window}"
        with self._guard:
            if dedupe in self._elsewhere:
                return
            if len(self._elsewhere) > MAX_REMEMBERED:
                self._elsewhere.clear()
            self._elsewhere[dedupe] = time.monotonic()
        try:
            with unit_of_work(engine_of(session)) as own:
                params = {} if as_of is None else {"as_of": as_of.isoformat()}
                jobs.enqueue(own, "figures", params, requested_by="web", dedupe_key=dedupe)
        except Exception:  # a page shows the last figures even when the queue is unreachable
            log.exception("could not queue the figures job")

    def _compute(
        self,
        engine: Engine,
        key: tuple[Any, ...],
        stable: Hashable,
        compute: Callable[[Session], Any],
        shape: TypeAdapter[Any],
    ) -> None:
        """The figures job: compute and store (a job computing the same figure elsewhere is waited for)."""
        snapshot = self._snapshot_key(key)
        with unit_of_work(engine) as session:
            figure_store.lock(session, snapshot)
            value = figure_store.load(session, snapshot, shape, self.cache.ttl)
            if value is None:  # not stored by the job that held the lock before
                value = compute(session)
                figure_store.save(session, snapshot, key[1], value, shape)  # stored as it unlocks
        self.cache.put(key, value)
        self._latest[stable] = value

    def aging(self, session: Session, as_of: dt.date) -> list[AgedBalance]:
        """Per process only: a whole aged balance (100k customers) is cheaper to compute than to
        ship as JSON."""
        return self.cached(session, "aging", (as_of,), lambda: aged_balance(AlchemyRunner(session), as_of))

    def kpis(self, session: Session, as_of: dt.date) -> list[Kpis]:
        return self.cached(session, "kpis", (as_of,), lambda: kpis(AlchemyRunner(session), as_of))

    def dso_trend(
        self, session: Session, as_of: dt.date, months: int = 12
    ) -> list[tuple[dt.date, Kpis]] | None:
        """KPIs at the end of each of the last ``months`` months (the current one ends at as_of),
        computed in the background (a dozen whole-ledger passes)."""

        def compute(own: Session) -> list[tuple[dt.date, Kpis]]:
            out = []
            for day in month_ends(as_of, months):
                for result in kpis(AlchemyRunner(own), day):
                    out.append((day, result))
            return out

        return self.background(session, "trend", (as_of, months), compute, TREND)


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """``months`` dates: as_of, then the last day of each preceding month, oldest first."""
    days = [as_of]
    year, month = as_of.year, as_of.month
    for _ in range(months - 1):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        days.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    return sorted(days)
