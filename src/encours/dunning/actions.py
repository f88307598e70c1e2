"""A run's decisions in the outbox: the run row, action rows, (entry, step) markers and their
audit events written in bulk, then each action's delivery state. Flushes only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import JSON, Date, TextClause, bindparam, delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from encours.audit.service import AuditEvent, record_many
from encours.domain.dunning import PlannedAction
from encours.domain.money import format_amount, to_cents
from encours.dunning.models import DunningActionRow, DunningMarkRow, DunningRunRow
from encours.ledger.repository import chunks
from encours.storage.base import UtcDateTime, utcnow


def _insert(table: str, columns: Sequence[str], types: dict[str, Any]) -> TextClause:
    """A plain parameterised INSERT: executemany sends it in batches without rewriting it."""
    names = ", ".join(columns)
    values = ", ".join(f":{column}" for column in columns)
    statement = text(f"INSERT INTO {table} ({names}) VALUES ({values})")
    return statement.bindparams(*(bindparam(name, type_=kind) for name, kind in types.items()))


MAX_DELIVERY_ATTEMPTS = 3  # failed delivery attempts before an action becomes a collector's task

ACTION_INSERT = _insert(
    "dunning_actions",
    ("id", "run_id", "as_of", "customer_pk", "customer_id", "scenario", "step", "channel", "template",
     "language", "status", "invoice_ids", "entry_keys", "amount_cents", "currency", "message_key",
     "created_at", "attempts"),
    {"as_of": Date(), "invoice_ids": JSON(), "entry_keys": JSON(), "created_at": UtcDateTime()},
)  # fmt: skip
MARK_INSERT = _insert("dunning_marks", ("entry_id", "step", "offset_days", "action_id"), {})


class ActionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def new_run(self, as_of: dt.date, actor: str, job_id: int | None = None) -> int:
        row = DunningRunRow(as_of=as_of, actor=actor, started_at=utcnow(), actions=0, job_id=job_id)
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

    def last_action_id(self) -> int:
        return int(self.session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM dunning_actions")) or 0)

    def add_decided_events(
        self, actor: str, as_of: dt.date, run_id: int, actions: Sequence[PlannedAction], ids: Sequence[int]
    ) -> None:
        """One ``dunning.decided`` audit event per action, appended in bulk by the audit service."""
        now = utcnow()
        events = [
            AuditEvent(now, actor, "dunning.decided", a.customer_id, f"action:{action_id}",
                       {"run": run_id, "step": a.step.key, "channel": a.step.channel.value,
                        "scenario": a.scenario, "as_of": as_of.isoformat(),
                        "invoice_ids": [c.reference for c in a.invoices],
                        "amount": format_amount(a.amount), "currency": a.currency})
            for a, action_id in zip(actions, ids, strict=True)
        ]  # fmt: skip
        record_many(self.session, events)

    # the outbox ---------------------------------------------------------------------------
    def get(self, action_id: int) -> DunningActionRow:
        row = self.session.get(DunningActionRow, action_id)
        assert row is not None
        return row

    def pending(self) -> list[DunningActionRow]:
        query = (
            select(DunningActionRow).where(DunningActionRow.status == "pending").order_by(DunningActionRow.id)
        )
        return list(self.session.scalars(query))

    def join_pending(self, run_id: int, message_keys: dict[str, str]) -> int:
        """Actions left pending by earlier runs join this run's message for their customer
        (``message_keys``: customer id -> key), so a run sends at most one e-mail per customer."""
        joined = 0
        for part in chunks(sorted(message_keys), 1000):
            query = select(DunningActionRow).where(
                DunningActionRow.status == "pending",
                DunningActionRow.run_id != run_id,
                DunningActionRow.customer_id.in_(part),
            )
            for row in self.session.scalars(query):
                row.message_key = message_keys[row.customer_id]
                joined += 1
        self.session.flush()
        return joined

    def actions(self, customer_id: str | None = None, run_id: int | None = None) -> list[DunningActionRow]:
        query = select(DunningActionRow).order_by(DunningActionRow.id)
        if customer_id is not None:
            query = query.where(DunningActionRow.customer_id == customer_id)
        if run_id is not None:
            query = query.where(DunningActionRow.run_id == run_id)
        return list(self.session.scalars(query))

    def run_of_job(self, job_id: int) -> int | None:
        """The run a job decided (None while it has not decided yet, or for a dry run)."""
        return self.session.scalar(select(DunningRunRow.id).where(DunningRunRow.job_id == job_id))

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

    def release_marks(self, action_ids: Sequence[int]) -> None:
        """An action that failed delivered nothing: its invoices are free to be decided again."""
        for part in chunks(list(action_ids), 1000):
            self.session.execute(delete(DunningMarkRow).where(DunningMarkRow.action_id.in_(part)))
        self.session.flush()

    def earlier_failures(self, row: DunningActionRow) -> int:
        """Failed attempts carried over to ``row``: those of the latest earlier action of the same
        customer sharing an invoice with it, when that one failed and was not handed to a collector.
        """
        keys = set(row.entry_keys)
        query = (
            select(DunningActionRow)
            .where(DunningActionRow.customer_pk == row.customer_pk, DunningActionRow.id < row.id)
            .order_by(DunningActionRow.id.desc())
        )
        for earlier in self.session.scalars(query):
            if keys & set(earlier.entry_keys):
                carried = earlier.status == "failed" and earlier.attempts < MAX_DELIVERY_ATTEMPTS
                return earlier.attempts if carried else 0
        return 0

    def failed(self) -> list[DunningActionRow]:
        query = select(DunningActionRow).where(DunningActionRow.status == "failed")
        query = query.order_by(DunningActionRow.id)
        return list(self.session.scalars(query))

    def unresolved_failures(self) -> list[DunningActionRow]:
        """Failed actions whose invoices no later action of the customer has delivered yet."""
        failed = self.failed()
        resolved = self.resolutions(failed)
        return [row for row in failed if row.id not in resolved]

    def resolutions(self, failed: Sequence[DunningActionRow]) -> dict[int, int]:
        """Failed action id -> the first later action of its customer that delivered one of its invoices."""
        customers = {row.customer_pk for row in failed}
        delivered: dict[int, list[tuple[int, set[str]]]] = {}
        for part in chunks(sorted(customers), 1000):
            columns = (DunningActionRow.customer_pk, DunningActionRow.id, DunningActionRow.entry_keys)
            query = select(*columns).where(
                DunningActionRow.customer_pk.in_(part), DunningActionRow.status.in_(("sent", "produced"))
            )
            for pk, action_id, keys in self.session.execute(query):
                delivered.setdefault(pk, []).append((action_id, set(keys)))
        found = {}
        for row in failed:
            later = sorted(delivered.get(row.customer_pk, []), key=lambda item: item[0])
            first = next((i for i, keys in later if i > row.id and keys & set(row.entry_keys)), None)
            if first is not None:
                found[row.id] = first
        return found
