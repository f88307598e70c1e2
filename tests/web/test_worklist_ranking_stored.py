"""The worklist's whole-ledger ranking is stored by the figures job, so a web process that
starts after it reads it instead of ranking every customer's aged balance on its first page."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.web.conftest import AS_OF

from encours.storage.database import get_engine, unit_of_work
from encours.web import worklist_view
from encours.web.figures import Figures

DAY = dt.date.fromisoformat(AS_OF)


def test_a_new_process_reads_the_ranking_the_figures_job_stored(
    own_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine(own_url)
    with unit_of_work(engine) as session:
        made = worklist_view.ordered(session, Figures(synchronous=True), DAY).ranking  # the job
    assert made.items, "the demo has customers with something overdue"

    def not_again(*_: object) -> None:
        raise AssertionError("the new process ranked the whole ledger itself")

    monkeypatch.setattr(worklist_view, "_base", not_again)
    with unit_of_work(engine) as session:
        read = worklist_view.ordered(session, Figures(), DAY).ranking  # a process started later
    assert [w.customer_id for w in read.items] == [w.customer_id for w in made.items]
    assert read.items[0] == made.items[0] and read.oldest_bucket == made.oldest_bucket
