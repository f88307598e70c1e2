"""Escalation in law (SPEC §8), pure: no hand-over without a delivered formal notice whose
period ran; what the history lets a text claim; step kinds and their inference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from encours.domain.dunning import Candidate, Channel, Step, StepKind, infer_kind, scenario_problems
from encours.domain.escalation import (
    NO_HISTORY,
    Contact,
    InvoiceHistory,
    NoticePeriod,
    delivered_on,
    escalate,
    escalation,
    history_of,
)
from encours.dunning.scenarios import load_scenarios, parse_scenario

D = dt.date
AS_OF = D(2026, 10, 31)
PERIOD = NoticePeriod(8, 7)
SCENARIO = parse_scenario(
    "fr_b2b",
    {
        "default": True,
        "steps": [
            {"key": "reminder", "offset_days": 3, "channel": "email", "template": "reminder"},
            {"key": "notice", "offset_days": 45, "channel": "letter", "template": "formal_notice",
             "kind": "formal_notice"},
            {"key": "litigation", "offset_days": 60, "channel": "handover", "template": "handover"},
        ],
    },
)  # fmt: skip
HANDOVER = SCENARIO.steps[-1]


def notice(status: str, days_ago: int) -> Contact:
    return Contact("notice", StepKind.FORMAL_NOTICE, status, AS_OF - dt.timedelta(days=days_ago))


def test_no_notice_gets_the_formal_notice_now_and_the_handover_waits() -> None:
    assert escalation(SCENARIO, HANDOVER, NO_HISTORY, AS_OF, PERIOD).step == "notice"


@pytest.mark.parametrize("status", ["pending", "failed"])
def test_a_pending_or_failed_notice_is_not_delivered_the_handover_waits_and_no_second_notice(
    status: str,
) -> None:
    history = history_of([notice(status, 40)])
    assert history.notice_delivered_on is None and not history.reminded_before
    verdict = escalation(SCENARIO, HANDOVER, history, AS_OF, PERIOD)
    assert verdict.step is None and verdict.reason == "notice_not_delivered"


@pytest.mark.parametrize(
    ("days_ago", "expected"), [(0, None), (10, None), (14, None), (15, "litigation"), (16, "litigation")]
)
def test_a_delivered_notice_must_have_run_its_period_payment_days_plus_postal_delay(
    days_ago: int, expected: str | None
) -> None:
    for status in ("sent", "produced"):
        history = history_of([notice(status, days_ago)])
        assert escalation(SCENARIO, HANDOVER, history, AS_OF, PERIOD).step == expected
    assert escalation(SCENARIO, HANDOVER, history_of([notice("sent", 10)]), AS_OF, NoticePeriod(3, 7)).step


def test_other_steps_are_catch_up_untouched() -> None:
    assert escalation(SCENARIO, SCENARIO.steps[1], NO_HISTORY, AS_OF, PERIOD).step == "notice"
    assert escalation(SCENARIO, SCENARIO.steps[0], NO_HISTORY, AS_OF, PERIOD).step == "reminder"


def test_escalate_per_invoice_of_one_customer() -> None:
    def cand(entry_id: int, step: str) -> Candidate:
        return Candidate(entry_id, f"k{entry_id}", f"F{entry_id}", 1, "C1", D(2026, 8, 1), Decimal(10), "EUR",
                         "fr_b2b", step)  # fmt: skip

    histories = {2: history_of([notice("sent", 20)]), 3: history_of([notice("sent", 3)])}
    result = escalate(
        [cand(1, "litigation"), cand(2, "litigation"), cand(3, "litigation"), cand(4, "reminder")],
        {"fr_b2b": SCENARIO}, histories, AS_OF, PERIOD,
    )  # fmt: skip
    assert [(c.entry_id, c.step) for c in result.candidates] == [
        (1, "notice"),
        (2, "litigation"),
        (4, "reminder"),
    ]
    assert result.waiting == {"notice_period_running": 1}
    assert result.notices_first == 1


def test_history_claims_only_what_was_delivered() -> None:
    history = history_of(
        [
            Contact("courtesy", StepKind.COURTESY, "sent", D(2026, 8, 1)),
            Contact("reminder", StepKind.REMINDER, "failed", D(2026, 8, 10)),
            Contact("call", StepKind.CALL, "sent", D(2026, 9, 1)),
        ]
    )
    assert history.reminders == 0 and not history.reminded_before  # a courtesy or a call is no reminder
    history = InvoiceHistory(
        (*history.contacts, Contact("firm", StepKind.REMINDER, "produced", D(2026, 9, 5)))
    )
    assert history.reminders == 1 and history.notice_delivered_on is None
    assert [c.step for c in history.delivered] == ["courtesy", "call", "firm"]


def test_delivery_date_is_the_run_date_moved_on_by_the_days_delivery_waited() -> None:
    assert delivered_on(AS_OF, D(2026, 12, 1), D(2026, 12, 1)) == AS_OF
    assert delivered_on(AS_OF, D(2026, 12, 1), D(2026, 12, 4)) == D(2026, 11, 3)
    assert delivered_on(AS_OF, D(2026, 12, 1), None) == AS_OF


def test_kinds_are_inferred_for_files_written_before_kind_and_the_shipped_scenario_says_them() -> None:
    assert infer_kind("handover", Channel.HANDOVER, "handover", 60) is StepKind.HANDOVER
    assert infer_kind("mise_en_demeure", Channel.LETTER, "formal_notice", 45) is StepKind.FORMAL_NOTICE
    assert infer_kind("appel", Channel.PHONE, "phone_call", 30) is StepKind.CALL
    assert infer_kind("avant", Channel.EMAIL, "courtesy", -5) is StepKind.COURTESY
    assert infer_kind("relance", Channel.EMAIL, "reminder", 3) is StepKind.REMINDER
    [default] = [s for s in load_scenarios().scenarios.values() if s.default]
    assert [(s.key, s.kind) for s in default.steps] == [
        ("courtesy", StepKind.COURTESY),
        ("reminder", StepKind.REMINDER),
        ("firm_reminder", StepKind.REMINDER),
        ("phone_call", StepKind.CALL),
        ("formal_notice", StepKind.FORMAL_NOTICE),
        ("handover", StepKind.HANDOVER),
    ]


def test_a_handover_without_a_formal_notice_before_it_is_refused() -> None:
    no_notice = SCENARIO._replace(steps=(SCENARIO.steps[0], HANDOVER))
    assert any("formal_notice" in p for p in scenario_problems(no_notice))
    disguised = SCENARIO._replace(
        steps=(*SCENARIO.steps[:2], Step("agency", 60, Channel.HANDOVER, "handover", kind=StepKind.REMINDER))
    )
    assert any("kind 'handover'" in p for p in scenario_problems(disguised))
    with pytest.raises(ValueError, match="kind"):
        parse_scenario("x", {"steps": [{"key": "a", "offset_days": 1, "channel": "email", "template": "r",
                                        "kind": "thank_you"}]})  # fmt: skip
