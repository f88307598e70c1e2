"""The dunning capability's own files edited from the screens or the API: a scenario (TOML) and
a template, each checked by dunning's loaders before it is saved in the data directory, where
dunning looks first, with an audit entry. Only known names are accepted, so no path escapes."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.data_files import user_or_shipped
from encours.domain.errors import NotFound
from encours.dunning.scenarios import load_scenarios, scenario_files, user_scenarios_dir
from encours.dunning.template_check import check_templates

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def shipped_templates() -> list[str]:
    """``<language>/<email|letters>/<name>``, as the dunning capability ships them."""
    root = resources.files("encours.dunning").joinpath("templates")
    found = []
    for language in sorted(p.name for p in root.iterdir() if p.is_dir()):
        for kind in ("email", "letters"):
            folder = root.joinpath(language).joinpath(kind)
            if folder.is_dir():
                found += [
                    f"{language}/{kind}/{p.name}" for p in sorted(folder.iterdir(), key=lambda p: p.name)
                ]
    return found


def template_text(path: str, data_dir: Path) -> str:
    """The user's copy of a template, else the shipped one."""
    return user_or_shipped(f"templates/{path}", data_dir, package="encours.dunning").read_text()


def scenario_target(data_dir: Path, name: str) -> Path:
    """Where the user's copy of a known scenario goes (404 for any other name)."""
    if name not in scenario_files(data_dir) or not NAME.match(name):
        raise NotFound(f"no scenario {name}")
    return user_scenarios_dir(data_dir) / f"{name}.toml"


def save_scenario(session: Session, actor: str, data_dir: Path, name: str, text: str) -> list[str]:
    """Save the scenario's new text when dunning loads it; else its errors (nothing saved)."""
    target = scenario_target(data_dir, name)
    candidate = {**scenario_files(data_dir), name: (str(target), text)}
    errors = [str(e) for e in load_scenarios(candidate).errors]
    if errors:
        return errors
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    record(session, actor, "dunning.scenario_edited", subject=name, details={"file": str(target)})
    return []


def save_template(session: Session, actor: str, data_dir: Path, path: str, text: str) -> list[str]:
    """Save the template when it renders in the sandbox in both languages; else its errors."""
    if path not in shipped_templates():
        raise NotFound(f"no template {path}")
    errors = [str(e) for e in check_templates(data_dir, {path: text})]
    if errors:
        return errors
    target = data_dir / "templates" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    record(session, actor, "dunning.template_edited", subject=path)
    return []
