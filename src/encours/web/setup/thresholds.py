"""kpi_thresholds.toml as a form: warning and critical levels of each KPI alert."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

import tomlkit

from encours.data_files import user_or_shipped
from encours.domain.kpi_alerts import parse_thresholds
from encours.domain.user_amounts import parse_user_amount
from encours.web.setup.files import Problems

FILE = "kpi_thresholds.toml"


class ThresholdRow(NamedTuple):
    kpi: str
    warning: str
    critical: str
    higher_is_worse: bool


def threshold_rows(data_dir: Path) -> list[ThresholdRow]:
    text = user_or_shipped(FILE, data_dir).read_text()
    return [
        ThresholdRow(t.kpi, str(t.warning), str(t.critical), t.higher_is_worse)
        for t in parse_thresholds(text)
    ]


def _number(text: str) -> Decimal | None:
    try:
        return parse_user_amount(text)
    except (ValueError, InvalidOperation, ArithmeticError):
        return None


def thresholds_toml(data_dir: Path, form: dict[str, str]) -> tuple[str, Problems]:
    """The file with the form's levels, and the problems: a level must be a number, and the
    critical one beyond the warning one in the direction that is worse."""
    document = tomlkit.parse(user_or_shipped(FILE, data_dir).read_text())
    problems = Problems()
    for row in threshold_rows(data_dir):
        warning, critical = (
            _number(form.get(f"{row.kpi}.warning", "")),
            _number(form.get(f"{row.kpi}.critical", "")),
        )
        if warning is None or critical is None:
            problems[row.kpi] = "adm_bad_number"
            continue
        worse = critical >= warning if row.higher_is_worse else critical <= warning
        if not worse:
            problems[row.kpi] = "adm_critical_beyond" if row.higher_is_worse else "adm_critical_below"
            continue
        table = document[row.kpi]
        table["warning"] = _plain(warning)  # type: ignore[index]
        table["critical"] = _plain(critical)  # type: ignore[index]
    return tomlkit.dumps(document), problems


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
