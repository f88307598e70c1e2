"""The rate tables a user may edit (CSV): late-payment rates and exchange rates.

Edited as text (they are tables of dates and rates), checked by the very parser that reads
them for dunning and credit limits before they are saved.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from encours.casework.credit_limits import FX_FILE_NAME
from encours.data_files import user_or_shipped
from encours.domain.errors import LedgerError
from encours.domain.fx import parse_fx_table
from encours.dunning.rates import RATES_FILE_NAME, parse_rates_text


class RateFile(NamedTuple):
    name: str  # the file in the data directory
    label: str  # text key
    check: Callable[[str, str], list[LedgerError]]


def _late_payment_problems(text: str, source: str) -> list[LedgerError]:
    return list(parse_rates_text(text, source).errors)


def _exchange_problems(text: str, source: str) -> list[LedgerError]:
    return parse_fx_table(text, source)[1]


RATE_FILES = {
    "ecb": RateFile(RATES_FILE_NAME, "adm_rates_ecb", _late_payment_problems),
    "fx": RateFile(FX_FILE_NAME, "adm_rates_fx", _exchange_problems),
}


FX_STARTER = (  # no exchange-rate table ships any more: the ECB's rates apply until a user writes one
    "# Units of each currency one euro buys; lines here win over the ECB's reference rates.\n"
    "date,currency,per_eur\n"
)


def rate_text(data_dir: Path, chosen: RateFile) -> str:
    found = user_or_shipped(chosen.name, data_dir)
    if chosen.name == FX_FILE_NAME and found.shipped and not found.file.is_file():
        return FX_STARTER
    return found.read_text()
