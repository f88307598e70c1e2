"""A dunning scenario (scenarios/<name>.toml) as a form: who it serves and its steps.

A step row with an empty key is dropped (how a step is removed); blank rows at the end add
steps. The whole set of scenarios is then checked by the dunning capability's own loader
(one default, a segment in one scenario only, kinds and channels known) before saving.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import tomlkit

from encours.domain.dunning import SCENARIO_KINDS, Channel
from encours.domain.user_amounts import AmountError, parse_user_amount
from encours.dunning.scenarios import load_scenarios, scenario_files, user_scenarios_dir
from encours.web.setup.files import Problems

KINDS = tuple(kind.value for kind in SCENARIO_KINDS)
CHANNELS = tuple(channel.value for channel in Channel)
BLANK_ROWS = 2
STEP_FIELDS = ("key", "kind", "offset_days", "channel", "tone", "template", "min_amount", "until_days")


class StepRow(NamedTuple):
    key: str = ""
    kind: str = ""
    offset_days: str = ""
    channel: str = "email"
    tone: str = ""
    template: str = ""
    min_amount: str = ""
    until_days: str = ""
    statement: bool = False  # the statement of account attached


class ScenarioForm(NamedTuple):
    name: str
    description: str
    default: bool
    segments: str  # comma-separated
    risk_segments: str
    steps: list[StepRow]


def template_names() -> list[str]:
    """Step templates: the e-mail templates shipped in French (the English ones match)."""
    folder = resources.files("encours.dunning").joinpath("templates").joinpath("fr").joinpath("email")
    return sorted(p.name.removesuffix(".txt") for p in folder.iterdir() if p.name != "base.txt")


def scenario_form(data_dir: Path, name: str) -> ScenarioForm | None:
    files = scenario_files(data_dir)
    if name not in files:
        return None
    raw = tomllib.loads(files[name][1])
    steps = [
        StepRow(
            key=str(s.get("key", "")), kind=str(s.get("kind", "")), offset_days=str(s.get("offset_days", "")),
            channel=str(s.get("channel", "email")), tone=str(s.get("tone", "")),
            template=str(s.get("template", "")), min_amount=str(s.get("min_amount", "")),
            until_days=str(s.get("until_days", "")), statement="statement" in s.get("attachments", []),
        )
        for s in raw.get("steps", [])
    ]  # fmt: skip
    return ScenarioForm(
        name, str(raw.get("description", "")), bool(raw.get("default", False)),
        ", ".join(raw.get("segments", [])), ", ".join(raw.get("risk_segments", [])),
        steps + [StepRow() for _ in range(BLANK_ROWS)],
    )  # fmt: skip


def read_form(name: str, form: Mapping[str, Any]) -> ScenarioForm:
    """The submitted form: ``steps-<i>-<field>`` for each row ``i``."""
    rows = []
    index = 0
    while f"steps-{index}-key" in form:
        values = {field: str(form.get(f"steps-{index}-{field}", "")).strip() for field in STEP_FIELDS}
        rows.append(StepRow(**values, statement=bool(form.get(f"steps-{index}-statement"))))
        index += 1
    return ScenarioForm(
        name, str(form.get("description", "")).strip(), bool(form.get("default")),
        str(form.get("segments", "")), str(form.get("risk_segments", "")), rows,
    )  # fmt: skip


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _step_table(row: StepRow, index: int, problems: Problems) -> dict[str, Any]:
    offset = _integer(row.offset_days)
    if offset is None:
        problems[f"steps-{index}-offset_days"] = "adm_bad_integer"
    if row.kind not in KINDS:
        problems[f"steps-{index}-kind"] = "adm_bad_choice"
    if row.channel not in CHANNELS:
        problems[f"steps-{index}-channel"] = "adm_bad_choice"
    if row.template not in template_names():
        problems[f"steps-{index}-template"] = "adm_bad_choice"
    table: dict[str, Any] = {
        "key": row.key, "kind": row.kind, "offset_days": offset or 0, "channel": row.channel,
        "tone": row.tone or "neutral", "template": row.template,
    }  # fmt: skip
    if row.min_amount:  # typed as people do: "1 234,56", "1234,56" or "1234.56"
        try:
            table["min_amount"] = str(parse_user_amount(row.min_amount))
        except AmountError:
            problems[f"steps-{index}-min_amount"] = "adm_bad_amount"
    if row.until_days:
        until = _integer(row.until_days)
        if until is None:
            problems[f"steps-{index}-until_days"] = "adm_bad_integer"
        table["until_days"] = until or 0
    if row.statement:
        table["attachments"] = ["statement"]
    return table


def scenario_toml(form: ScenarioForm) -> tuple[str, Problems]:
    """The scenario file the form describes, and what is wrong with the form's fields."""
    problems = Problems()
    steps = [row for row in form.steps if row.key]
    keys = [row.key for row in steps]
    if not steps:
        problems["steps"] = "adm_no_steps"
    for index, row in enumerate(form.steps):
        if row.key and keys.count(row.key) > 1:
            problems[f"steps-{index}-key"] = "adm_duplicate_key"
    document = tomlkit.document()
    document["description"] = form.description
    document["default"] = form.default
    document["segments"] = _names(form.segments)
    document["risk_segments"] = _names(form.risk_segments)
    tables = tomlkit.aot()
    for index, row in enumerate(form.steps):
        if row.key:
            tables.append(tomlkit.item(_step_table(row, index, problems)))
    document["steps"] = tables
    return tomlkit.dumps(document), problems


def scenario_errors(data_dir: Path, name: str, text: str) -> list[str]:
    """What the dunning capability's loader says of every scenario with this one replaced."""
    target = user_scenarios_dir(data_dir) / f"{name}.toml"
    candidate = {**scenario_files(data_dir), name: (str(target), text)}
    return [str(error) for error in load_scenarios(candidate).errors]
