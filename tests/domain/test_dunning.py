"""Pure dunning decisions: step choice with catch-up, date windows, suppression, grouping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from encours.domain.dunning import (
    THANK_YOU,
    Candidate,
    Channel,
    Suppressions,
    choose_scenario,
    pick_language,
    select_reminders,
    step_for,
    step_windows,
    thank_you_actions,
)
from encours.dunning.scenarios import load_scenarios, parse_scenario

D = dt.date
AS_OF = D(2026, 10, 31)
DEFAULT = parse_scenario(
    "fr_b2b",
    {
        "default": True,
        "steps": [
            {"key": "courtesy", "offset_days": -5, "channel": "email", "template": "courtesy"},
            {"key": "reminder", "offset_days": 3, "channel": "email", "template": "reminder"},
            {"key": "firm_reminder", "offset_days": 15, "channel": "email", "template": "firm_reminder"},
            {"key": "phone_call", "offset_days": 30, "channel": "phone", "template": "phone_call"},
            {"key": "formal_notice", "offset_days": 45, "channel": "letter", "template": "formal_notice",
             "min_amount": "100"},
            {"key": "handover", "offset_days": 60, "channel": "handover", "template": "handover"},
        ],
    },
)  # fmt: skip
NO_SUPPRESSION = Suppressions(set(), set(), {}, set())


def test_shipped_default_scenario_is_the_french_b2b_one() -> None:
    loaded = load_scenarios()
    assert not loaded.errors
    [default] = [s for s in loaded.scenarios.values() if s.default]
    assert [(s.key, s.offset_days, s.channel) for s in default.steps] == [
        ("courtesy", -5, Channel.EMAIL),
        ("reminder", 3, Channel.EMAIL),
        ("firm_reminder", 15, Channel.EMAIL),
        ("phone_call", 30, Channel.PHONE),
        ("formal_notice", 45, Channel.LETTER),
        ("handover", 60, Channel.HANDOVER),
    ]


def test_latest_reached_step_wins_and_earlier_ones_are_not_replayed() -> None:
    def key(days: int) -> str | None:
        step = step_for(DEFAULT, days)
        return None if step is None else step.key

    assert key(-6) is None
    assert key(-5) == key(0) == key(2) == "courtesy"  # until the reminder takes over at +3
    assert key(3) == key(14) == "reminder"
    assert key(50) == "formal_notice"  # a first run catches up straight to the matching step
    assert key(400) == "handover"


@given(st.integers(-30, 400))
def test_date_windows_agree_with_the_reference_rule(days: int) -> None:
    """The set-wise SQL uses the windows; they must pick exactly what step_for picks."""
    due = AS_OF - dt.timedelta(days=days)
    chosen = None
    for window in step_windows(DEFAULT, AS_OF):  # latest first, like the SQL CASE
        if due <= window.due_to:
            chosen = window.offset_days if window.due_from is None or due >= window.due_from else None
            break
    expected = step_for(DEFAULT, days)
    assert chosen == (None if expected is None else expected.offset_days)


def candidate(ref: str, customer: str, step: str, amount: str) -> Candidate:
    return Candidate(
        int(ref[1:]), f"doc:{ref}", ref, 1, customer, D(2026, 9, 1), Decimal(amount), "EUR", "fr_b2b", step
    )


def test_grouping_suppression_and_minimum_amounts() -> None:
    candidates = [
        candidate("F1", "C1", "reminder", "100"),
        candidate("F2", "C1", "reminder", "50"),
        candidate("F3", "C1", "formal_notice", "60"),  # under the 100 minimum: waits
        candidate("F4", "C2", "reminder", "10"),  # disputed in casework
        candidate("F5", "C3", "reminder", "10"),  # customer paused
        candidate("F6", "C4", "reminder", "10"),  # promised until after the run
        candidate("F7", "C4", "firm_reminder", "10"),  # promise expired before the run
        candidate("F8", "C5", "reminder", "10"),  # under a payment plan
    ]
    suppressions = Suppressions(
        {"doc:F4"}, {"C3"}, {"doc:F6": D(2026, 11, 5), "doc:F7": D(2026, 10, 30)}, {"doc:F8"}
    )
    reminders = select_reminders(candidates, {"fr_b2b": DEFAULT}, suppressions, AS_OF)
    assert [(a.customer_id, a.step.key, [c.reference for c in a.invoices]) for a in reminders.actions] == [
        ("C1", "reminder", ["F1", "F2"]),
        ("C4", "firm_reminder", ["F7"]),
    ]
    assert reminders.actions[0].amount == Decimal("150")
    assert dict(reminders.suppressed) == {"disputed": 1, "paused": 1, "promised": 1, "payment_plan": 1}
    assert reminders.below_minimum == 1


def test_thank_you_even_when_reminded_again_in_the_same_run_never_when_paused() -> None:
    settled = [
        candidate("F1", "C1", THANK_YOU, "100"),
        candidate("F2", "C2", THANK_YOU, "80"),
        candidate("F3", "C3", THANK_YOU, "80"),
    ]
    actions = thank_you_actions(settled, paused={"C3"}, scenarios={"fr_b2b": DEFAULT})
    assert [(a.customer_id, a.step.key, a.step.channel) for a in actions] == [
        ("C1", THANK_YOU, Channel.EMAIL),
        ("C2", THANK_YOU, Channel.EMAIL),
    ]


def test_scenario_choice_and_language() -> None:
    key_accounts = DEFAULT._replace(name="key", segments=("grands-comptes",), default=False)
    risky = DEFAULT._replace(name="risky", risk_segments=("D", "E"), default=False)
    scenarios = [DEFAULT, key_accounts, risky]
    assert choose_scenario(scenarios, "grands-comptes", "E") is key_accounts
    assert choose_scenario(scenarios, None, "E") is risky
    assert choose_scenario(scenarios, "pme", "A") is DEFAULT
    assert pick_language("EN", ("fr", "en")) == "en"
    assert pick_language("de", ("fr", "en")) == "fr"
    assert pick_language(None, ("fr", "en")) == "fr"


def test_invalid_scenarios_are_reported_not_raised() -> None:
    files = {
        "broken": (
            "broken.toml",
            "default = true\n[[steps]]\nkey = 'a'\noffset_days = 3\nchannel = 'fax'\ntemplate = 'x'\n",
        ),
        "syntax": ("syntax.toml", "default = = true"),
    }
    loaded = load_scenarios(files)
    assert not loaded.scenarios
    assert {e.file for e in loaded.errors} == {"broken.toml", "syntax.toml"}
    assert any("channel" in e.message for e in loaded.errors)
