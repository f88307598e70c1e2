"""The creditor letters and e-mails are sent in the name of: never the shipped demo company by mistake.

``company.toml`` ships with a demo company (name, SIREN, IBAN). A run that sends on a ledger
``encours demo`` did not make, while the creditor is still that company, is refused (SPEC §8):
the customers of a real ledger would be dunned in the name of "Encours Démo SAS" and asked to
pay to the demo IBAN.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from encours.domain.errors import InvalidInput
from encours.dunning.documents import Company, load_company
from encours.ledger.queries import made_by_demo
from encours.storage.database import unit_of_work


class DemoCompanyRefused(InvalidInput):
    """Sending real letters in the name of the shipped demo company."""


def is_demo_company(company: Company) -> bool:
    """The shipped demo company, whether read from the shipped file or from an unedited copy."""
    shipped = load_company(None)
    return (company.name, company.siren, company.iban) == (shipped.name, shipped.siren, shipped.iban)


def check_creditor(engine: Engine, data_dir: Path) -> None:
    """Refuse to send while the creditor is the demo company, unless the ledger is the demo's."""
    company = load_company(data_dir)
    if not is_demo_company(company):
        return
    with unit_of_work(engine) as session:
        if made_by_demo(session):
            return
    raise DemoCompanyRefused(
        f"the creditor is still the shipped demo company ({company.name!r}, IBAN {company.iban}) and this "
        f"ledger was not made by `encours demo`: nothing was sent. Put your company's details in "
        f"{data_dir / 'company.toml'} (ENCOURS_DATA_DIR/company.toml; start from the shipped "
        f"encours/data/company.toml)",
        field="company.toml",
    )
