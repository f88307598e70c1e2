"""What every bank-statement importer shares: small parsing helpers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from encours.ingest.fields import plausible_amount

# -- small parsing helpers shared by the formats -------------------------------------------

_AMOUNT = re.compile(r"^(?:\d+(?:[.,]\d*)?|[.,]\d+)$")


def parse_positive_amount(text: str) -> Decimal:
    """A non-negative bank amount with ``.`` or ``,`` as decimal mark, never via float."""
    cleaned = text.strip()
    if not _AMOUNT.match(cleaned):
        raise ValueError(f"invalid amount {text[:40]!r}")
    try:
        return plausible_amount(Decimal(cleaned.replace(",", ".")))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already guards it
        raise ValueError(f"invalid amount {text[:40]!r}") from exc
