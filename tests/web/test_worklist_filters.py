"""The worklist's filters read as arrays and kept partitions keep exactly the customers the read
functions name, on both databases, and a write that changes a kept partition shows at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session
from tests.conftest import invoke
from tests.web.conftest import AS_OF, email, load_demo
from typer.testing import CliRunner

from encours.casework import assignment, tasks, worklist_facts
from encours.casework.queries import handed_over_ids
from encours.demo.generator import DemoLedger
from encours.dunning import stages
from encours.foresight import risk_classes
from encours.foresight.models import RiskScoreRow
from encours.foresight.scoring import store_scores
from encours.foresight.service import read_ledger
from encours.ledger.models import CustomerRow
from encours.ledger.queries import matching_customers
from encours.storage.database import unit_of_work
from encours.web import worklist_view
from encours.web.figures import Figures
from encours.web.worklist_view import Filters, kept_places

DAY = dt.date.fromisoformat(AS_OF)
SEARCHES = ("c0001", "C0002", "électricité", "ELECTRICITE", "œuvre", "50%", "a_b", "client", "zz", "\tc")


def kept(session: Session, figures: Figures, **filters: str) -> list[str]:
    order = worklist_view.ordered(session, figures, DAY)
    return [
        order.ranking.items[int(i)].customer_id for i in kept_places(session, order, Filters(**filters), DAY)
    ]


def ranked(session: Session, figures: Figures, named: set[str]) -> list[str]:
    """The ranked customers among ``named``, in ranking order, less the handed-over ones."""
    out = handed_over_ids(session, DAY)
    items = worklist_view.ordered(session, figures, DAY).ranking.items
    return [w.customer_id for w in items if w.customer_id in named and w.customer_id not in out]


def test_each_filter_keeps_what_its_read_function_names(db_url: str, demo_ledger: DemoLedger) -> None:
    engine = load_demo(db_url, demo_ledger)
    with unit_of_work(engine) as session:  # names the search must find whatever the accents
        first, second = kept(session, Figures(synchronous=True))[2:4]
        for customer_id, name in ((first, "Électricité Œuvre"), (second, "Remise 50%\na_b")):
            session.execute(
                update(CustomerRow)
                .where(CustomerRow.customer_id == customer_id)
                .values(name=name, segment="Secteur public")
            )
    figures = Figures(synchronous=True)
    with unit_of_work(engine) as session:
        for search in SEARCHES:
            assert kept(session, figures, q=search) == ranked(
                session, figures, matching_customers(session, search)
            )
        assert first in kept(session, figures, q="ELECTRICITE")
        assert kept(session, figures, q="50%") == [second] == kept(session, figures, q="a_b")
        in_segment = {
            c.customer_id for c in worklist_facts.every_customer(session) if c.segment == "Secteur public"
        }
        assert kept(session, figures, segment="Secteur public") == ranked(session, figures, in_segment)
        assert set(kept(session, figures, segment="Secteur public")) >= {first, second}
        assert kept(session, figures, segment="nothing") == []


def test_kept_partitions_follow_scores_dunning_and_assignments(
    db_url: str, demo_ledger: DemoLedger, cli: CliRunner
) -> None:
    engine = load_demo(db_url, demo_ledger)
    figures = Figures(synchronous=True)
    with unit_of_work(engine) as session:
        order = worklist_view.ordered(session, figures, DAY)
        assert kept(session, figures, risk="A") == [] and kept(session, figures, stage="courtesy") == []
        assert kept(session, figures, collector=email("collector")) == []
        everyone = kept(session, figures)
    with unit_of_work(engine) as session:
        store_scores(session, read_ledger(session), DAY - dt.timedelta(days=1))
    code, _, err = invoke(cli, "dunning", "run", "--as-of", AS_OF, "--db", db_url)
    assert code == 0, err
    with unit_of_work(engine) as session:
        assignment.assign(session, everyone[3], "collector", email("collector"), actor="test")
    with unit_of_work(engine) as session:
        assert worklist_view.ordered(session, figures, DAY) is order  # the same ranking, its sets renewed
        ids = [w.customer_id for w in order.ranking.items]
        classes = risk_classes.risk_classes(session, ids, DAY)
        for risk_class in risk_classes.CLASSES:
            named = {cid for cid, said in classes.items() if said == risk_class}
            assert kept(session, figures, risk=risk_class) == ranked(session, figures, named)
        reached = stages.stages(session, ids)
        steps = {s.step for s in reached.values()}
        assert steps, "the dunning run reached some customers"
        for step in steps:
            named = {cid for cid, s in reached.items() if s.step == step}
            assert kept(session, figures, stage=step) == ranked(session, figures, named)
        assert kept(session, figures, collector=email("collector")) == [everyone[3]]
        assert everyone[3] not in kept(session, figures, collector="-")
        some = next(iter(classes))
        key = next(c.pk for c in worklist_facts.every_customer(session) if c.customer_id == some)
        other = "D" if classes[some] != "D" else "A"
        session.add(RiskScoreRow(customer_pk=key, as_of=DAY, score=1, segment=other, reasons=[],
                                 recommended_credit_limit_cents=0))  # fmt: skip
        session.flush()
        assert some in kept(session, figures, risk=other)  # a new score: the classes read again


def test_a_page_shows_the_task_due_first_the_last_call_and_the_collector(
    db_url: str, demo_ledger: DemoLedger
) -> None:
    engine = load_demo(db_url, demo_ledger)
    figures = Figures(synchronous=True)
    with unit_of_work(engine) as session:
        first = kept(session, figures)[0]
        tasks.plan_task(session, first, "call", DAY + dt.timedelta(days=9), actor="test", title="later")
        due = [
            tasks.plan_task(session, first, kind, DAY + dt.timedelta(days=2), actor="test", title=kind)
            for kind in ("letter", "call")
        ]
        for called in (DAY - dt.timedelta(days=3), DAY - dt.timedelta(days=1)):
            call = tasks.plan_task(session, first, "call", called, actor="test", title="done")
            tasks.close_task(session, call.task_id, "test", "rang")
        assignment.assign(session, first, "collector", email("collector"), actor="test")
    with unit_of_work(engine) as session:
        found = worklist_view.filtered_worklist(session, figures, DAY, Filters())
        rows = {row.item.customer_id: row for row in found.rows}
        assert rows[first].next_action == worklist_facts.NextAction(
            due[0].task_id, "letter", "letter", due[0].due_date, due[0].assignee
        )  # the earliest due date, then the first planned
        assert rows[first].collector == email("collector")
        assert rows[first].last_contact is not None  # the latest call closed (today, by the clock)
        assert found.segments == sorted(
            {c.segment for c in worklist_facts.every_customer(session) if c.segment}
        )
