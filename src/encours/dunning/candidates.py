"""Which invoices a run is due to act on: set-wise candidate selection in SQL; reads only.

Candidates are chosen in one statement: open items at the run date, each customer's scenario
(by segment, else risk segment, else default) and the step its due date falls in, all by date
comparisons with bound parameters, minus the invoices already marked for that step or a later
one. Python then only sees the invoices that are actually due for something.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select, text
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
    StepKind,
    instalment_step_key,
    step_windows,
)
from encours.domain.money import from_cents
from encours.dunning.models import DunningMarkRow
from encours.einvoicing.exclusions import NOT_OUT_OF_DUNNING
from encours.gc_paused import gc_paused
from encours.ledger.models import CustomerRow, EntryRow
from encours.ledger.repository import chunks
from encours.storage.base import sql_date


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


class CandidateRepository:
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
      AND e.due_date <= :latest_due AND e.disputed = :no AND {NOT_OUT_OF_DUNNING}
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

        Reminded: a reminder after the due date was delivered (sent or produced), not only decided.

        Paid: the one rule's open amount at ``as_of`` is zero or less (reminded entries only).
        """
        sql = f"""
WITH reminded AS (
    SELECT m.entry_id, MAX(a.scenario) AS scenario
    FROM dunning_marks m JOIN dunning_actions a ON a.id = m.action_id
    WHERE m.offset_days > 0 AND a.status IN ('sent', 'produced')
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
            step = Step(
                key,
                instalment.days_past_due,
                Channel.EMAIL,
                "instalment",
                tone="plan",
                kind=StepKind.INSTALMENT,
            )
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
