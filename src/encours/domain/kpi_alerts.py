"""KPI alert thresholds: a credit manager's tolerance for each indicator, as data."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from encours.domain.kpi import Kpis


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"


class Threshold(NamedTuple):
    """``higher_is_worse`` is true for DSO or overdue ratio, false for CEI."""

    kpi: str
    warning: Decimal
    critical: Decimal
    higher_is_worse: bool = True

    def level(self, value: Decimal) -> Level:
        def crossed(limit: Decimal) -> bool:
            return value >= limit if self.higher_is_worse else value <= limit

        if crossed(self.critical):
            return Level.CRITICAL
        return Level.WARNING if crossed(self.warning) else Level.OK


class KpiAlert(NamedTuple):
    kpi: str
    value: Decimal
    level: Level
    threshold: Decimal


def parse_thresholds(text: str) -> tuple[Threshold, ...]:
    """Thresholds from TOML: ``[dso_countback] warning = 60 critical = 90``."""
    document = tomllib.loads(text)
    thresholds = []
    for kpi, spec in sorted(document.items()):
        if not hasattr(Kpis, kpi):
            raise ValueError(f"unknown KPI {kpi!r} in thresholds")
        try:
            thresholds.append(
                Threshold(
                    kpi,
                    Decimal(str(spec["warning"])),
                    Decimal(str(spec["critical"])),
                    bool(spec.get("higher_is_worse", True)),
                )
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"threshold {kpi!r} needs warning and critical values") from exc
    return tuple(thresholds)


def evaluate(kpis: Kpis, thresholds: tuple[Threshold, ...]) -> list[KpiAlert]:
    """Alerts for every KPI at warning or critical level; unknown values raise none."""
    alerts = []
    for threshold in thresholds:
        value = getattr(kpis, threshold.kpi)
        if value is None:
            continue
        level = threshold.level(value)
        if level is not Level.OK:
            limit = threshold.critical if level is Level.CRITICAL else threshold.warning
            alerts.append(KpiAlert(threshold.kpi, value, level, limit))
    return alerts
