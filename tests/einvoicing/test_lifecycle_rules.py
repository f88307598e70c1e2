"""The lifecycle rules (pure) and the shipped schema: the official FNFE copy, unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import SAMPLES

import encours.einvoicing
from encours.einvoicing.statuses import LABELS, Effect, Standing, effect, label, standing

AT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def at(days: int) -> dt.datetime:
    return AT + dt.timedelta(days=days)


def test_effects_of_spec_11() -> None:
    assert {code: effect(code) for code in (205, 206, 207, 208, 210, 211, 213, 220, 225, 204, 212)} == {
        205: Effect.APPROVED, 206: Effect.APPROVED, 207: Effect.DISPUTE, 208: Effect.DISPUTE,
        210: Effect.REFUSED, 211: Effect.EXPECTED_PAYMENT, 213: Effect.NOT_ISSUED, 220: Effect.NOT_ISSUED,
        225: Effect.FACTORED, 204: Effect.TIMELINE, 212: Effect.TIMELINE,
    }  # fmt: skip
    assert (label(207), label(207, "en")) == ("En litige", "Disputed")
    assert label(299, "fr", "Statut_bilatéral") == "Statut bilatéral"  # unlisted: the message's label
    assert all(fr and en and fr != en for fr, en in LABELS.values())


def test_standing_follows_the_statuses_in_time_order() -> None:
    assert standing([]) is None
    assert standing([(at(0), 210)]) is Standing.REFUSED
    assert standing([(at(1), 205), (at(0), 210)]) is None  # approved after the refusal
    assert standing([(at(0), 205), (at(1), 210)]) is Standing.REFUSED
    assert standing([(at(0), 213), (at(1), 205)]) is Standing.NOT_ISSUED  # final
    assert standing([(at(0), 225), (at(1), 210)]) is Standing.REFUSED
    assert standing([(at(0), 225), (at(1), 228)]) is None
    assert standing([(at(0), 220)]) is Standing.NOT_ISSUED


def test_shipped_schema_is_the_official_copy() -> None:
    shipped = Path(encours.einvoicing.__file__).parent / "cdar_xsd"
    official = SAMPLES / "cdar-xsd"
    names = sorted(p.name for p in official.glob("*.xsd"))
    assert names == sorted(p.name for p in shipped.glob("*.xsd")) and len(names) == 14
    assert all((shipped / n).read_bytes() == (official / n).read_bytes() for n in names)
    assert "Apache License" in (shipped / "LICENSE").read_text()
