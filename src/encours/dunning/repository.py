"""Named queries of the dunning domain. Set-wise selection in SQL; flushes only.

Candidates are chosen in one statement: open items at the run date, each customer's scenario
(by segment, else risk segment, else default) and the step its due date falls in, all by date
comparisons with bound parameters, minus the invoices already marked for that step or a later
one. Python then only sees the invoices that are actually due for something.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import psycopg
from sqlalchemy import JSON, Date, TextClause, bindparam, inspect, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from encours.analytics.open_items import OPEN_CENTS, settled_cte
from encours.casework.suppression import DueInstalment
from encours.domain.dunning import (
    THANK_YOU,
    Candidate,
    Channel,
    PlannedAction,
    Scenario,
    Step,
    instalment_step_key,
    step_windows,
)
from encours.domain.money import format_amount, from_cents, to_cents
from encours.domain.penalties import Reduction
from encours.dunning.models import DunningActionRow, DunningMarkRow, DunningRunRow, PenaltyTermsRow
from encours.gc_paused import gc_paused
from encours.ledger.models import AllocationRow, CustomerRow, EntryRow
from encours.ledger.repository import chunks
from encours.storage.base import UtcDateTime, sql_date, utcnow


def _insert(table: str, columns: Sequence[str], types: dict[str, Any]) -> TextClause:
    """A plain parameterised INSERT: executemany sends it in batches without rewriting it."""
    names = ", ".join(columns)
    values = ", ".join(f":{column}" for column in columns)
    statement = text(f"INSERT INTO {table} ({names}) VALUES ({values})")
    return statement.bindparams(*(bindparam(name, type_=kind) for name, kind in types.items()))


ACTION_INSERT = _insert(
    "dunning_actions",
    ("id", "run_id", "as_of", "customer_pk", "customer_id", "scenario", "step", "channel", "template",
     "language", "status", "invoice_ids", "entry_keys", "amount_cents", "currency", "message_key",
     "created_at", "attempts"),
    {"as_of": Date(), "invoice_ids": JSON(), "entry_keys": JSON(), "created_at": UtcDateTime()},
)  # fmt: skip
MARK_INSERT = _insert("dunning_marks", ("entry_id", "step", "offset_days", "action_id"), {})
AUDIT_INSERT = _insert(
    "audit_events", ("at", "actor", "action", "customer_id", "subject", "details"),
    {"at": UtcDateTime(), "details": JSON()},
)  # fmt: skip


def _in_list(prefix: str, values: Sequence[str], params: dict[str, Any]) -> str:
    names = []
    for index, value in enumerate(values):
        name = f"{prefix}_{index}"
        params[name] = value
        names.append(f":{name}")
    return ", ".join(names)


def scenario_case(scenarios: Sequence[Scenario], has_risk: bool, params: dict[str, Any]) -> str:
    """SQL giving each customer the index of its scenario in ``scenarios``."""
    whens = []
    for index, scenario in enumerate(scenarios):
        if scenario.segments:
            whens.append(
                f"WHEN c.segment IN ({_in_list(f'seg{index}', scenario.segments, params)}) THEN {index}"
            )
    if has_risk:
        for index, scenario in enumerate(scenarios):
            if scenario.risk_segments:
                values = _in_list(f"risk{index}", scenario.risk_segments, params)
                whens.append(f"WHEN r.segment IN ({values}) THEN {index}")
    default = next(i for i, s in enumerate(scenarios) if s.default)
    return f"CASE {' '.join(whens)} ELSE {default} END" if whens else str(default)


def step_case(scenarios: Sequence[Scenario], as_of: dt.date, params: dict[str, Any], value: str) -> str:
    """SQL giving an open item the offset (``value='offset'``) or key of the step it is due for."""
    branches = []
    for index, scenario in enumerate(scenarios):
        whens = []
        for number, window in enumerate(step_windows(scenario, as_of)):
            to_name = f"to{index}_{number}"
            params[to_name] = window.due_to
            step = scenario.by_offset(window.offset_days)
            if value == "offset":
                result = str(step.offset_days)
            else:
                key_name = f"key{index}_{number}"
                params[key_name] = step.key
                result = f":{key_name}"
            if window.due_from is not None:
                from_name = f"from{index}_{number}"
                params[from_name] = window.due_from
                result = f"CASE WHEN base.due_date >= :{from_name} THEN {result} END"
            whens.append(f"WHEN base.due_date <= :{to_name} THEN {result}")
        branches.append(f"WHEN {index} THEN (CASE {' '.join(whens)} END)")
    return f"CASE base.idx {' '.join(branches)} END"


class DunningRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def has_risk_scores(self) -> bool:
        return inspect(self.session.connection()).has_table("risk_scores")

    def _scenario_join(self, scenarios: Sequence[Scenario], params: dict[str, Any]) -> tuple[str, str]:
        """(SQL of the customer's scenario index, the risk-segment join it needs or "")."""
        has_risk = self.has_risk_scores() and any(s.risk_segments for s in scenarios)
        risk = ""
        if has_risk:
            risk = """
            LEFT JOIN (
                SELECT rs.customer_pk, rs.segment FROM risk_scores rs
                JOIN (SELECT customer_pk, MAX(as_of) AS latest FROM risk_scores
                      WHERE as_of <= :as_of GROUP BY customer_pk) l
                  ON l.customer_pk = rs.customer_pk AND l.latest = rs.as_of
            ) r ON r.customer_pk = c.id"""
        return scenario_case(scenarios, has_risk, params), risk

    def candidates(self, scenarios: Sequence[Scenario], as_of: dt.date) -> list[Candidate]:
        """Open, undisputed invoices due for a step at ``as_of`` and not yet marked for it or later.

        Open amounts are the one rule's (``analytics.open_items``) filtered to debits: dunning
        asks for what is owed, never for credits; only entries old enough for a step are read.
        """
        params: dict[str, Any] = {"as_of": as_of, "no": False}
        latest_due = max(as_of - dt.timedelta(days=s.steps[0].offset_days) for s in scenarios)
        params["latest_due"] = latest_due
        scenario, risk = self._scenario_join(scenarios, params)
        offset_case = step_case(scenarios, as_of, params, "offset")
        key_case = step_case(scenarios, as_of, params, "key")
        # entries drive one sequential scan (SQLite: CROSS JOIN fixes the join order and NOT INDEXED
        # avoids a date-index walk over nearly every row; PostgreSQL plans this by itself)
        scan = " NOT INDEXED" if self.session.get_bind().dialect.name == "sqlite" else ""
        sql = f"""
WITH {settled_cte()}, base AS (
    SELECT e.id AS entry_id, e.key, e.reference, e.customer_pk, c.customer_id, e.due_date, e.currency,
           {OPEN_CENTS} AS open_cents, {scenario} AS idx
    FROM entries e{scan}
    CROSS JOIN customers c
    LEFT JOIN settled s ON s.entry_id = e.id{risk}
    WHERE c.id = e.customer_pk AND e.amount_cents > 0 AND e.date <= :as_of
      AND e.due_date <= :latest_due AND e.disputed = :no
), cand AS (
    SELECT base.*, {offset_case} AS step_offset, {key_case} AS step_key FROM base
)
SELECT cand.entry_id, cand.key, cand.reference, cand.customer_pk, cand.customer_id, cand.due_date,
       cand.open_cents, cand.currency, cand.idx, cand.step_key
FROM cand
WHERE cand.open_cents > 0 AND cand.step_offset IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM dunning_marks m
      WHERE m.entry_id = cand.entry_id AND (m.offset_days >= cand.step_offset OR m.step = cand.step_key)
  )
"""
        names = [s.name for s in scenarios]
        day = dt.date.fromisoformat if self.session.get_bind().dialect.name == "sqlite" else sql_date
        rows = self.session.execute(text(sql), params)
        # a bulk of small immutable tuples: the cyclic GC has nothing to find in them
        with gc_paused():
            return [
                Candidate(
                    entry_id,
                    key,
                    ref,
                    customer_pk,
                    customer_id,
                    day(due),
                    Decimal(cents).scaleb(-2),
                    currency,
                    names[idx],
                    step_key,
                )
                for entry_id, key, ref, customer_pk, customer_id, due, cents, currency, idx, step_key in rows
            ]

    def settled_reminded(self, as_of: dt.date) -> list[Candidate]:
        """Reminded invoices now paid, not yet thanked, of customers with no reminded invoice open.

        Paid: the one rule's open amount at ``as_of`` is zero or less (reminded entries only).
        """
        sql = f"""
WITH reminded AS (
    SELECT m.entry_id, MAX(a.scenario) AS scenario
    FROM dunning_marks m JOIN dunning_actions a ON a.id = m.action_id
    WHERE m.offset_days > 0
    GROUP BY m.entry_id
), {settled_cte("e.id IN (SELECT entry_id FROM reminded)")}, state AS (
    SELECT r.entry_id, e.customer_pk, r.scenario, {OPEN_CENTS} AS open_cents
    FROM reminded r
    JOIN entries e ON e.id = r.entry_id
    LEFT JOIN settled s ON s.entry_id = e.id
)
SELECT s.entry_id, e.key, e.reference, s.customer_pk, c.customer_id, e.due_date, e.amount_cents,
       e.currency, s.scenario
FROM state s
JOIN entries e ON e.id = s.entry_id
JOIN customers c ON c.id = s.customer_pk
WHERE s.open_cents <= 0
  AND NOT EXISTS (SELECT 1 FROM dunning_marks t WHERE t.entry_id = s.entry_id AND t.step = :thanks)
  AND NOT EXISTS (SELECT 1 FROM state s2 WHERE s2.customer_pk = s.customer_pk AND s2.open_cents > 0)
ORDER BY c.customer_id, e.due_date, e.reference
"""
        return [
            Candidate(
                int(row[0]),
                row[1],
                row[2],
                int(row[3]),
                row[4],
                sql_date(row[5]),
                from_cents(int(row[6])),
                row[7],
                row[8],
                THANK_YOU,
            )
            for row in self.session.execute(text(sql), {"as_of": as_of, "thanks": THANK_YOU})
        ]

    def instalment_candidates(self, due: Sequence[DueInstalment]) -> list[PlannedAction]:
        """Instalment reminders of active payment plans not yet sent for that instalment."""
        keys = sorted({key for d in due for key in d.entry_keys})
        rows: dict[str, tuple[int, str, int, str, dt.date]] = {}
        for part in chunks(keys):
            columns = (
                EntryRow.key,
                EntryRow.id,
                EntryRow.reference,
                EntryRow.customer_pk,
                CustomerRow.customer_id,
            )
            query = (
                select(*columns, EntryRow.due_date)
                .join(CustomerRow, CustomerRow.id == EntryRow.customer_pk)
                .where(EntryRow.key.in_(part))
            )
            for key, entry_id, reference, customer_pk, customer_id, due_date in self.session.execute(query):
                rows[key] = (entry_id, reference, customer_pk, customer_id, due_date)
        steps = {instalment_step_key(d.plan_id, d.seq, d.days_past_due) for d in due}
        marked: set[tuple[int, str]] = set()
        for part in chunks(sorted(steps)):
            marks = select(DunningMarkRow.entry_id, DunningMarkRow.step).where(DunningMarkRow.step.in_(part))
            marked.update((int(e), str(s)) for e, s in self.session.execute(marks))
        actions = []
        for instalment in due:
            key = instalment_step_key(instalment.plan_id, instalment.seq, instalment.days_past_due)
            found = [rows[k] for k in instalment.entry_keys if k in rows]
            if not found or any((entry_id, key) in marked for entry_id, *_ in found):
                continue
            step = Step(key, instalment.days_past_due, Channel.EMAIL, "instalment", tone="plan")
            invoices = tuple(
                Candidate(entry_id, k, reference, customer_pk, customer_id, due_date, Decimal(0),
                          instalment.currency, "", key)
                for k, (entry_id, reference, customer_pk, customer_id, due_date) in zip(
                    [k for k in instalment.entry_keys if k in rows], found, strict=True
                )
            )  # fmt: skip
            actions.append(
                PlannedAction(found[0][2], instalment.customer_id, "", step, invoices, instalment.currency,
                              instalment.remaining)
            )  # fmt: skip
        return actions

    def customer_contacts(self, customer_pks: Iterable[int]) -> dict[int, tuple[str, str | None, str | None]]:
        """pk -> (name, e-mail, language) of the given customers."""
        found: dict[int, tuple[str, str | None, str | None]] = {}
        for part in chunks(sorted(set(customer_pks))):
            query = select(CustomerRow.id, CustomerRow.name, CustomerRow.email, CustomerRow.language)
            for pk, name, email, language in self.session.execute(query.where(CustomerRow.id.in_(part))):
                found[pk] = (name, email, language)
        return found

    # writing decisions -------------------------------------------------------------------
    def new_run(self, as_of: dt.date, actor: str) -> int:
        row = DunningRunRow(as_of=as_of, actor=actor, started_at=utcnow(), actions=0)
        self.session.add(row)
        self.session.flush()
        return row.id

    def add_actions(
        self, run_id: int, as_of: dt.date, actions: Sequence[PlannedAction], languages: dict[int, str],
        message_keys: dict[int, str | None],
    ) -> list[int]:  # fmt: skip
        """Outbox rows and their (entry, step) markers, in the caller's transaction."""
        now = utcnow()
        rows = [
            {
                "run_id": run_id,
                "as_of": as_of,
                "customer_pk": a.customer_pk,
                "customer_id": a.customer_id,
                "scenario": a.scenario,
                "step": a.step.key,
                "channel": a.step.channel.value,
                "template": a.step.template,
                "language": languages[a.customer_pk],
                "status": "pending",
                "invoice_ids": [c.reference for c in a.invoices],
                "entry_keys": [c.entry_key for c in a.invoices],
                "amount_cents": to_cents(a.amount),
                "currency": a.currency,
                "message_key": message_keys[index],
                "created_at": now,
                "attempts": 0,
            }
            for index, a in enumerate(actions)
        ]
        ids = self.new_action_ids(len(rows))
        for row, action_id in zip(rows, ids, strict=True):
            row["id"] = action_id
        for part in chunks(rows, 10_000):
            self.session.execute(ACTION_INSERT, list(part))
        marks = [
            {"entry_id": c.entry_id, "step": a.step.key,
             "offset_days": a.step.offset_days if a.counts_as_reminder else None, "action_id": action_id}
            for a, action_id in zip(actions, ids, strict=True)
            for c in a.invoices
        ]  # fmt: skip
        if self.session.get_bind().dialect.name == "postgresql":
            self._copy_marks(marks)
        else:
            for part in chunks(marks, 50_000):
                self.session.execute(MARK_INSERT, list(part))
        self.session.execute(update(DunningRunRow).where(DunningRunRow.id == run_id).values(actions=len(ids)))
        return ids

    def _copy_marks(self, marks: Sequence[dict[str, Any]]) -> None:
        """PostgreSQL: COPY into the markers, inside the run's transaction (an order faster)."""
        driver: Any = self.session.connection().connection.driver_connection
        try:
            with (
                driver.cursor() as cursor,
                cursor.copy("COPY dunning_marks (entry_id, step, offset_days, action_id) FROM STDIN") as copy,
            ):
                for mark in marks:
                    copy.write_row((mark["entry_id"], mark["step"], mark["offset_days"], mark["action_id"]))
        except psycopg.errors.UniqueViolation as exc:  # a concurrent run marked these first
            raise IntegrityError("COPY dunning_marks", None, exc) from exc

    def new_action_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new actions, so rows and markers go in as plain batched inserts.

        PostgreSQL draws them from the table's sequence; SQLite continues after the largest id,
        which is safe because the run already holds SQLite's single write lock (its run row).
        """
        if count == 0:
            return []
        if self.session.get_bind().dialect.name == "postgresql":
            query = text(
                "SELECT nextval(pg_get_serial_sequence('dunning_actions', 'id')) FROM generate_series(1, :n)"
            )
            return [int(value) for value in self.session.scalars(query, {"n": count})]
        start = int(self.session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM dunning_actions")) or 0)
        return list(range(start + 1, start + count + 1))

    def add_decided_events(
        self, actor: str, as_of: dt.date, run_id: int, actions: Sequence[PlannedAction], ids: Sequence[int]
    ) -> None:
        """One ``dunning.decided`` audit event per action, appended in bulk (same rows as audit.record)."""
        now = utcnow()
        rows = [
            {"at": now, "actor": actor, "action": "dunning.decided", "customer_id": a.customer_id,
             "subject": f"action:{action_id}",
             "details": {"run": run_id, "step": a.step.key, "channel": a.step.channel.value,
                         "scenario": a.scenario, "as_of": as_of.isoformat(),
                         "invoice_ids": [c.reference for c in a.invoices],
                         "amount": format_amount(a.amount), "currency": a.currency}}
            for a, action_id in zip(actions, ids, strict=True)
        ]  # fmt: skip
        for part in chunks(rows, 10_000):
            self.session.execute(AUDIT_INSERT, list(part))

    # the outbox ---------------------------------------------------------------------------
    def pending(self) -> list[DunningActionRow]:
        query = (
            select(DunningActionRow).where(DunningActionRow.status == "pending").order_by(DunningActionRow.id)
        )
        return list(self.session.scalars(query))

    def actions(self, customer_id: str | None = None) -> list[DunningActionRow]:
        query = select(DunningActionRow).order_by(DunningActionRow.id)
        if customer_id is not None:
            query = query.where(DunningActionRow.customer_id == customer_id)
        return list(self.session.scalars(query))

    def mark(self, action_ids: Sequence[int], status: str, *, document: dict[int, str] | None = None,
             error: str | None = None) -> None:  # fmt: skip
        now = utcnow()
        for action_id in action_ids:
            row = self.session.get(DunningActionRow, action_id)
            if row is None:  # pragma: no cover
                continue
            row.status = status
            row.attempts += 1
            row.error = error
            if status in ("sent", "produced"):
                row.sent_at = now
            if document and action_id in document:
                row.document = document[action_id]
        self.session.flush()

    def record_attempt(self, action_ids: Sequence[int], error: str) -> None:
        """A transient failure: the actions stay pending for the next run."""
        for action_id in action_ids:
            row = self.session.get(DunningActionRow, action_id)
            if row is not None:
                row.attempts += 1
                row.error = error
        self.session.flush()

    # penalties ----------------------------------------------------------------------------
    def penalty_terms(self, customer_pk: int) -> PenaltyTermsRow | None:
        return self.session.get(PenaltyTermsRow, customer_pk)

    def set_penalty_terms(
        self, customer_pk: int, rule: str, contract_rate: Decimal | None, waived: bool, actor: str
    ) -> None:
        row = self.session.get(PenaltyTermsRow, customer_pk)
        if row is None:
            row = PenaltyTermsRow(customer_pk=customer_pk)
            self.session.add(row)
        row.rule = rule
        row.contract_rate = None if contract_rate is None else str(contract_rate)
        row.waived = waived
        row.updated_at = utcnow()
        row.updated_by = actor
        self.session.flush()

    def invoices_with_reductions(self, entry_keys: Sequence[str], as_of: dt.date) -> list[InvoiceFacts]:
        """Invoice facts for letters: amount, dates, and allocations up to ``as_of``."""
        rows: list[EntryRow] = []
        for part in chunks(list(entry_keys)):
            rows.extend(self.session.execute(select(EntryRow).where(EntryRow.key.in_(part))).scalars())
        reductions: dict[int, list[Reduction]] = defaultdict(list)
        ids = [row.id for row in rows]
        for part in chunks(ids):
            query = select(
                AllocationRow.debit_entry_id, AllocationRow.date, AllocationRow.amount_cents
            ).where(AllocationRow.debit_entry_id.in_(part), AllocationRow.date <= as_of)
            for debit_id, day, cents in self.session.execute(query):
                reductions[debit_id].append(Reduction(day, from_cents(cents)))
        order = {key: index for index, key in enumerate(entry_keys)}
        facts = [
            InvoiceFacts(
                row.key,
                row.reference,
                row.date,
                row.due_date,
                from_cents(row.amount_cents),
                row.currency,
                tuple(sorted(reductions[row.id])),
            )
            for row in rows
        ]
        return sorted(facts, key=lambda f: order[f.key])


class InvoiceFacts(NamedTuple):
    key: str
    reference: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    currency: str
    reductions: tuple[Reduction, ...]

    def open_amount(self) -> Decimal:
        return self.amount - sum((r.amount for r in self.reductions), Decimal(0))
