import datetime as dt
from decimal import Decimal
from importlib import resources

import pytest

from encours.domain.kpi import Kpis
from encours.domain.kpi_alerts import Level, evaluate, parse_thresholds


def kpis(**values: str | None) -> Kpis:
    base: dict[str, Decimal | None] = dict.fromkeys(
        ("overdue_ratio", "dso_simple", "best_possible_dso", "add", "cei", "doubtful_rate")
    )
    base.update({k: None if v is None else Decimal(v) for k, v in values.items()})
    return Kpis(
        as_of=dt.date(2024, 1, 31), currency="EUR", outstanding=Decimal(0), overdue=Decimal(0),
        dso_countback=base.pop("dso_countback", None) or Decimal(0), **base,  # type: ignore[arg-type]
    )  # fmt: skip


def test_shipped_thresholds_parse_and_flag_levels() -> None:
    text = resources.files("encours.data").joinpath("kpi_thresholds.toml").read_text(encoding="utf-8")
    thresholds = parse_thresholds(text)
    alerts = {
        a.kpi: a.level for a in evaluate(kpis(dso_countback="75", cei="55", overdue_ratio="0.1"), thresholds)
    }
    assert alerts == {"dso_countback": Level.WARNING, "cei": Level.CRITICAL}


def test_missing_values_raise_no_alert_and_bad_files_are_refused() -> None:
    thresholds = parse_thresholds("[cei]\nwarning = 80\ncritical = 60\nhigher_is_worse = false\n")
    assert evaluate(kpis(cei=None), thresholds) == []
    with pytest.raises(ValueError, match="unknown KPI"):
        parse_thresholds("[dso_magic]\nwarning = 1\ncritical = 2\n")
    with pytest.raises(ValueError, match="needs warning"):
        parse_thresholds("[cei]\nwarning = 1\n")
