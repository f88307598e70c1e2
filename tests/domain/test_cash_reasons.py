"""A decision's reasons kept as codes with values: read back, they say the same in English as the
CLI printed, and in French with French amounts; an unknown code (a later version's) is skipped."""

from __future__ import annotations

import json
from decimal import Decimal

from encours.domain.cash_reasons import Proposed, Reason, decode, encode, render_all


def test_reasons_and_proposal_survive_storage() -> None:
    reasons = (
        Reason.of(
            "same_amount", count=2, customer="C2", amount=Decimal("1234.50"), invoices=("FB-1", "FB-2")
        ),
        Reason.of("close_name", payer="ACME", customer="C1"),
    )
    proposal = (Proposed("FB-1", Decimal("1228.33"), Decimal("6.17")),)
    stored = encode(reasons, proposal)
    assert decode(stored) == (reasons, proposal)
    assert render_all(decode(stored)[0]) == render_all(reasons)
    assert render_all(decode(stored)[0], "fr").startswith(
        "2 factures ouvertes de C2 font 1234,50 (FB-1, FB-2)"
    )


def test_nothing_stored_and_unknown_codes() -> None:
    assert encode(()) == "" and decode("") == ((), ())
    later = json.dumps({"reasons": [["from_the_future", []], ["no_payer", []]], "proposal": []})
    assert [r.code for r in decode(later)[0]] == ["no_payer"]


def test_unallocated_by_hand_reads_as_before() -> None:
    reasons = (Reason.of("unallocated"), Reason.of("manual", actor="ana@example.com"))
    assert render_all(reasons) == "Unallocated. Allocated by hand by ana@example.com."
    assert render_all(reasons, "fr") == "Délettré. Rapproché à la main par ana@example.com."
