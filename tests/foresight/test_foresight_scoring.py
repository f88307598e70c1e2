"""Risk scores, segments, reasons in two languages, credit limits, deterioration alerts, customer priority."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.audit.service import events
from encours.foresight.history import day_number
from encours.foresight.models import ModelArtifactRow, RiskScoreRow
from encours.foresight.priority import customers_by_priority
from encours.foresight.repository import ForesightRepository
from encours.foresight.scoring import SEGMENTS, capped_limit, deteriorated, segment_of
from encours.foresight.service import last_day, model_for, read_ledger
from encours.ledger.models import CustomerRow
from encours.storage.database import get_engine, unit_of_work

AS_OF = dt.date(2013, 9, 30)


def test_scores_reasons_limits_and_alerts(cli: CliRunner, ar_url: str) -> None:
    code, out, err = invoke(cli, "score", "--as-of", AS_OF.isoformat(), "--format", "json", "--db", ar_url)
    assert code == 0, err
    payload = json.loads(out)
    scores = payload["scores"]
    assert len(scores) == 30
    for s in scores:
        assert 0 <= s["score"] <= 100
        assert s["segment"] == segment_of(s["score"])
        assert s["reasons"] and all(r["en"] and r["fr"] for r in s["reasons"])
        assert float(s["recommended_credit_limit"]) >= 0
    assert len({s["segment"] for s in scores}) >= 2  # the ledger has good and bad payers
    worst = min(scores, key=lambda s: s["score"])
    best = max(scores, key=lambda s: s["score"])
    assert worst["p_late"] > best["p_late"]
    engine = get_engine(ar_url)
    with Session(engine) as session:
        stored = session.scalars(select(RiskScoreRow)).all()
    assert len(stored) == 30 and {r.segment for r in stored} <= {name for name, _ in SEGMENTS}
    # an earlier, much better score makes today's an alert, recorded in the audit trail
    with unit_of_work(engine) as session:
        session.execute(
            update(RiskScoreRow).values(as_of=AS_OF - dt.timedelta(days=30), score=100, segment="A")
        )
    code, out, err = invoke(cli, "score", "--as-of", AS_OF.isoformat(), "--db", ar_url)
    assert code == 0, err
    dropped = [s for s in scores if s["score"] <= 90]
    assert out.count("alert:") == len(dropped) > 0
    with Session(engine) as session:
        alerts = [e for e in events(session) if e.action == "risk.deteriorated"]
    assert {e.customer_id for e in alerts} == {s["customer_id"] for s in dropped}
    assert all(e.details["previous_score"] == 100 for e in alerts)
    code, _, _ = invoke(cli, "score", "--as-of", AS_OF.isoformat(), "--db", ar_url)
    assert code == 0
    with Session(engine) as session:
        assert len(session.scalars(select(RiskScoreRow)).all()) == 60  # one day replaced, not duplicated


def test_priority_orders_by_expected_loss_avoided(ar_url: str) -> None:
    with unit_of_work(get_engine(ar_url)) as session:
        items = customers_by_priority(session, AS_OF, limit=100)
        first = customers_by_priority(session, AS_OF, limit=5)
        second = customers_by_priority(session, AS_OF, limit=5, offset=5)
    assert items and items[:10] == first + second
    values = [i.expected_loss_avoided for i in items]
    assert values == sorted(values, reverse=True)
    for item in items:
        assert item.open_amount > 0 and item.overdue_amount <= item.open_amount
        assert item.expected_loss_avoided <= item.open_amount
        assert len(item.invoice_ids) == item.open_invoices


def test_model_is_stored_reused_and_retrained_when_stale(ar_url: str) -> None:
    engine = get_engine(ar_url)
    with unit_of_work(engine) as session:
        ledger = read_ledger(session)
        assert model_for(session, ledger, AS_OF).trained
    with unit_of_work(engine) as session:
        assert not model_for(session, ledger, AS_OF).trained  # fresh: reused
        assert not model_for(session, ledger, AS_OF + dt.timedelta(days=10)).trained
        assert model_for(session, ledger, AS_OF + dt.timedelta(days=45)).trained  # stale: retrained
        assert model_for(session, ledger, AS_OF - dt.timedelta(days=1)).trained  # never a look-ahead
    with Session(engine) as session:
        cutoffs = sorted(r.knowledge_before for r in session.scalars(select(ModelArtifactRow)))
    assert cutoffs == [AS_OF, AS_OF + dt.timedelta(days=1), AS_OF + dt.timedelta(days=46)]
    with unit_of_work(engine) as session:  # past the ledger's end nothing more is known
        assert model_for(session, ledger, last_day(ledger)).trained
        far = model_for(session, ledger, dt.date(8474, 8, 26))
        assert not far.trained and far.model.knowledge_before == day_number(last_day(ledger)) + 1


def test_model_train_and_score_cli_exit_codes(cli: CliRunner, ar_url: str) -> None:
    code, out, err = invoke(cli, "model", "train", "--db", ar_url)
    assert code == 0, err
    assert ("gradient-boosted" in out and "2013-12-31" in out) or "settled" in out
    code, _, err = invoke(cli, "model", "train", "--as-of", "2013-13-01", "--db", ar_url)
    assert code == 2 and "--as-of" in err
    code, _, err = invoke(cli, "score", "--as-of", "yesterday", "--db", ar_url)
    assert code == 2


def test_recommended_limit_never_rises_for_a_deteriorating_or_over_limit_customer() -> None:
    # a D customer using 300 % of a 10 000.00 limit, whose formula says 25 000.00
    assert capped_limit(2_500_000, 1_000_000, 3_000_000, worse=True) == 1_000_000
    assert capped_limit(2_500_000, 1_000_000, 3_000_000, worse=False) == 1_000_000  # over its limit
    assert capped_limit(2_500_000, 1_000_000, 500_000, worse=True) == 1_000_000  # D or falling
    assert capped_limit(500_000, 1_000_000, 3_000_000, worse=True) == 500_000  # lower stays lower
    assert capped_limit(2_500_000, 1_000_000, 500_000, worse=False) == 2_500_000  # a good payer grows
    assert capped_limit(2_500_000, None, 3_000_000, worse=True) == 2_500_000  # no limit to keep
    assert deteriorated(10, "D", None) and not deteriorated(90, "A", None)


def test_stored_recommendation_of_an_over_limit_customer_is_at_most_its_limit(
    cli: CliRunner, ar_url: str
) -> None:
    engine = get_engine(ar_url)
    with unit_of_work(engine) as session:
        session.execute(update(CustomerRow).values(credit_limit_cents=100))
        exposure = {
            cid: cents for cid, (_, cents) in ForesightRepository(session).credit_positions(AS_OF).items()
        }
        for cid, cents in exposure.items():  # every customer owing something uses 300 % of its limit
            if cents > 300:
                session.execute(
                    update(CustomerRow)
                    .where(CustomerRow.customer_id == cid)
                    .values(credit_limit_cents=cents // 3)
                )
    code, out, err = invoke(cli, "score", "--as-of", AS_OF.isoformat(), "--format", "json", "--db", ar_url)
    assert code == 0, err
    scores = {s["customer_id"]: s for s in json.loads(out)["scores"]}
    over = [cid for cid, cents in exposure.items() if cents > 300 and cid in scores]
    assert over, "the AR ledger has customers with open balances"
    for cid in over:
        limit = Decimal(exposure[cid] // 3) / 100
        assert Decimal(scores[cid]["recommended_credit_limit"]) <= limit, scores[cid]
