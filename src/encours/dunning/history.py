"""Invoices' dunning history from the outbox: every (entry, step) marker with its action's kind,
status and date, read set-wise (one query for a run's candidates, one per composed message).

The kind of a past step is the scenario's (``Step.step_kind``), else inferred from the action's
step, channel and template (a scenario edited or removed since). A step is delivered when its
action is ``sent`` or ``produced`` (``domain.escalation``), on the run's date moved on by the days
its delivery waited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from encours.domain.dunning import Channel, Scenario, StepKind, infer_kind
from encours.domain.escalation import Contact, InvoiceHistory, delivered_on, history_of
from encours.dunning.models import DunningActionRow, DunningMarkRow
from encours.ledger.models import EntryRow
from encours.ledger.repository import chunks

COLUMNS = (
    DunningMarkRow.entry_id,
    DunningMarkRow.offset_days,
    DunningActionRow.scenario,
    DunningActionRow.step,
    DunningActionRow.channel,
    DunningActionRow.template,
    DunningActionRow.status,
    DunningActionRow.as_of,
    DunningActionRow.created_at,
    DunningActionRow.sent_at,
)


def notice_names(scenarios: Mapping[str, Scenario]) -> tuple[set[str], set[str]]:
    """(step keys, templates) that may be a formal notice, in today's scenarios or by inference."""
    steps = [s for scenario in scenarios.values() for s in scenario.steps]
    keys = {s.key for s in steps if s.step_kind is StepKind.FORMAL_NOTICE} | {"formal_notice"}
    templates = {s.template for s in steps if s.step_kind is StepKind.FORMAL_NOTICE} | {"formal_notice"}
    return keys, templates


class HistoryRepository:
    def __init__(self, session: Session, scenarios: Mapping[str, Scenario]) -> None:
        self.session = session
        self.scenarios = scenarios

    def _query(self) -> Any:
        return select(*COLUMNS).join(DunningActionRow, DunningActionRow.id == DunningMarkRow.action_id)

    def _kind(self, scenario: str, step: str, channel: str, template: str, offset: int | None) -> StepKind:
        found = self.scenarios.get(scenario)
        known = found.step(step) if found is not None else None
        if known is not None:
            return known.step_kind
        try:
            kind_channel = Channel(channel)
        except ValueError:
            kind_channel = Channel.EMAIL
        return infer_kind(step, kind_channel, template, offset or 0)

    def _histories(self, query: Select[Any]) -> dict[int, list[Contact]]:
        found: dict[int, list[Contact]] = defaultdict(list)
        for (
            entry_id,
            offset,
            scenario,
            step,
            channel,
            template,
            status,
            as_of,
            created,
            sent,
        ) in self.session.execute(query):
            kind = self._kind(str(scenario), str(step), str(channel), str(template), offset)
            day = delivered_on(as_of, created.date(), sent.date() if sent is not None else None)
            found[int(entry_id)].append(Contact(str(step), kind, str(status), day))
        return found

    def notices(self) -> dict[int, InvoiceHistory]:
        """Entry id -> its formal notices (decided or delivered): what the hand-over rule reads.

        One query for every candidate of a run: notices are far fewer than open items.
        """
        keys, templates = notice_names(self.scenarios)
        query = self._query().where(
            or_(DunningActionRow.step.in_(sorted(keys)), DunningActionRow.template.in_(sorted(templates)))
        )
        histories = self._histories(query)
        return {
            entry_id: history_of(c for c in contacts if c.kind is StepKind.FORMAL_NOTICE)
            for entry_id, contacts in histories.items()
        }

    def of_entries(self, entry_keys: Sequence[str]) -> dict[str, InvoiceHistory]:
        """Entry key -> every step decided for it (templates read the delivered ones)."""
        ids: dict[int, str] = {}
        for part in chunks(sorted(set(entry_keys))):
            query = select(EntryRow.id, EntryRow.key).where(EntryRow.key.in_(part))
            ids.update((int(i), str(k)) for i, k in self.session.execute(query))
        found: dict[str, InvoiceHistory] = {}
        for part in chunks(sorted(ids)):
            for entry_id, contacts in self._histories(
                self._query().where(DunningMarkRow.entry_id.in_(part))
            ).items():
                found[ids[entry_id]] = history_of(contacts)
        return found
