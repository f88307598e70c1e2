"""Loading dunning scenarios from TOML files: shipped ones, replaced or extended by the user's.

Shipped files live in ``encours/data/scenarios/``; files in ``$ENCOURS_DATA_DIR/scenarios/``
with the same name replace them, others add scenarios. The scenario name is the file stem.
Every problem is returned as data (file, field, message) for the CLI to print and exit 2.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from encours.data_files import SHIPPED, user_or_shipped
from encours.domain.dunning import SCENARIO_KINDS, Channel, Scenario, Step, StepKind, scenario_problems
from encours.domain.errors import LedgerError

STEP_KEYS = {
    "key", "offset_days", "channel", "tone", "template", "min_amount", "until_days", "attachments", "kind",
}  # fmt: skip
SCENARIO_KEYS = {"description", "default", "segments", "risk_segments", "steps"}


class LoadedScenarios(NamedTuple):
    scenarios: dict[str, Scenario]
    errors: tuple[LedgerError, ...]

    def ordered(self) -> list[Scenario]:
        return [self.scenarios[name] for name in sorted(self.scenarios)]


def _strings(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{field}: expected a list of strings")
    return tuple(value)


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field}: expected an integer, got {value!r}")
    return value


def _step(raw: Any, index: int) -> Step:
    where = f"steps[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a table")
    unknown = set(raw) - STEP_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("key", "offset_days", "channel", "template"):
        if required not in raw:
            raise ValueError(f"{where}.{required}: missing")
    try:
        channel = Channel(str(raw["channel"]))
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        raise ValueError(f"{where}.channel: {raw['channel']!r} is not one of {choices}") from None
    try:
        minimum = Decimal(str(raw.get("min_amount", "0")))
    except InvalidOperation:
        raise ValueError(f"{where}.min_amount: not an amount {raw['min_amount']!r}") from None
    until = raw.get("until_days")
    kind = None
    if "kind" in raw:
        names = [k.value for k in SCENARIO_KINDS]
        if raw["kind"] not in names:
            raise ValueError(f"{where}.kind: {raw['kind']!r} is not one of {', '.join(names)}")
        kind = StepKind(raw["kind"])
    return Step(
        key=str(raw["key"]),
        offset_days=_int(raw["offset_days"], f"{where}.offset_days"),
        channel=channel,
        template=str(raw["template"]),
        tone=str(raw.get("tone", "neutral")),
        min_amount=minimum,
        until_days=None if until is None else _int(until, f"{where}.until_days"),
        attachments=_strings(raw.get("attachments", []), f"{where}.attachments"),
        kind=kind,
    )


def parse_scenario(name: str, data: Mapping[str, Any]) -> Scenario:
    unknown = set(data) - SCENARIO_KEYS
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    steps_raw = data.get("steps", [])
    if not isinstance(steps_raw, list):
        raise ValueError("steps: expected an array of tables ([[steps]])")
    steps = tuple(sorted((_step(raw, i) for i, raw in enumerate(steps_raw)), key=lambda s: s.offset_days))
    scenario = Scenario(
        name=name,
        steps=steps,
        segments=_strings(data.get("segments", []), "segments"),
        risk_segments=_strings(data.get("risk_segments", []), "risk_segments"),
        default=bool(data.get("default", False)),
        description=str(data.get("description", "")),
    )
    problems = scenario_problems(scenario)
    if problems:
        raise ValueError("; ".join(problems))
    return scenario


def scenario_files(data_dir: Path | None = None) -> dict[str, tuple[str, str]]:
    """name -> (source label, TOML text); the user's files replace shipped ones of the same name.

    ``data_dir`` None: the shipped scenarios only.
    """
    shipped = resources.files(SHIPPED).joinpath("scenarios").iterdir()
    names = {item.name.removesuffix(".toml") for item in shipped if item.name.endswith(".toml")}
    if data_dir is not None and (data_dir / "scenarios").is_dir():
        names |= {path.stem for path in (data_dir / "scenarios").glob("*.toml")}
    files: dict[str, tuple[str, str]] = {}
    for name in sorted(names):
        found = user_or_shipped(f"scenarios/{name}.toml", data_dir)
        files[name] = (found.source, found.read_text())
    return files


def load_scenarios(
    files: Mapping[str, tuple[str, str]] | None = None, data_dir: Path | None = None
) -> LoadedScenarios:
    """``files`` as given (an edit being checked), else those of ``data_dir`` over the shipped ones."""
    scenarios: dict[str, Scenario] = {}
    errors: list[LedgerError] = []
    for name, (source, text) in sorted((files if files is not None else scenario_files(data_dir)).items()):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            errors.append(LedgerError(source, getattr(exc, "lineno", 0) or 0, "", f"invalid TOML: {exc}"))
            continue
        try:
            scenarios[name] = parse_scenario(name, data)
        except ValueError as exc:
            errors.append(LedgerError(source, 0, "", str(exc)))
    defaults = [s.name for s in scenarios.values() if s.default]
    if not errors and len(defaults) != 1:
        message = (
            "no scenario has default = true" if not defaults else f"several defaults: {', '.join(defaults)}"
        )
        errors.append(LedgerError("scenarios", 0, "default", message))
    seen: dict[str, str] = {}
    for scenario in scenarios.values():
        for segment in scenario.segments:
            if segment in seen:
                errors.append(
                    LedgerError(
                        "scenarios",
                        0,
                        "segments",
                        f"segment {segment!r} in {seen[segment]} and {scenario.name}",
                    )
                )
            seen[segment] = scenario.name
    return LoadedScenarios(scenarios, tuple(errors))


def user_scenarios_dir(data_dir: Path) -> Path:
    return data_dir / "scenarios"
