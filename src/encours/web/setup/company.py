"""company.toml as a form: the creditor named on letters and e-mails, checked before it is saved.

SIREN, IBAN and BIC are checked with python-stdnum (check digits, lengths, country formats);
comments and keys the form does not show are kept (tomlkit edits the document in place).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from stdnum import bic, iban
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, tva

from encours.data_files import user_or_shipped
from encours.web.setup.files import Problems

TEXT_FIELDS = ("name", "siren", "vat_number", "email", "phone", "iban", "bic", "city")
DAY_FIELDS = {"payment_days_after_notice": (1, 90), "notice_postal_days": (0, 60)}
FILE = "company.toml"


def company_values(data_dir: Path) -> dict[str, str]:
    """What the form shows: the user's company.toml, else the shipped demo company."""
    raw = tomlkit.parse(user_or_shipped(FILE, data_dir).read_text()).unwrap()
    values = {name: str(raw.get(name, "")) for name in (*TEXT_FIELDS, *DAY_FIELDS)}
    values["address"] = "\n".join(str(line) for line in raw.get("address", []))
    return values


def _checked(module: Any, value: str) -> str | None:
    try:
        return str(module.format(module.validate(value)))
    except ValidationError:
        return None


def check_company(form: dict[str, str]) -> tuple[dict[str, Any], Problems]:
    """The values to store (normalised: IBAN in groups of four, SIREN digits) and the problems."""
    problems = Problems()
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    if not values["name"]:
        problems["name"] = "adm_required"
    for field, module in (("siren", siren), ("iban", iban), ("bic", bic)):
        normal = _checked(module, values[field])
        if normal is None:
            problems[field] = f"adm_bad_{field}"
        else:
            values[field] = normal.replace(" ", "") if field == "siren" else normal
    if values["vat_number"] and not tva.is_valid(values["vat_number"]):
        problems["vat_number"] = "adm_bad_vat"
    if values["email"] and ("@" not in values["email"] or " " in values["email"]):
        problems["email"] = "adm_bad_email"
    for field, (low, high) in DAY_FIELDS.items():
        text = form.get(field, "").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            problems[field] = "adm_bad_days"
        else:
            values[field] = int(text)
    lines = [line.strip() for line in form.get("address", "").splitlines() if line.strip()]
    if not lines:
        problems["address"] = "adm_required"
    values["address"] = lines
    return values, problems


def company_toml(data_dir: Path, values: dict[str, Any]) -> str:
    """The current file with the form's values put in (its comments and other keys kept)."""
    document = tomlkit.parse(user_or_shipped(FILE, data_dir).read_text())
    for key, value in values.items():
        document[key] = value
    return tomlkit.dumps(document)
