"""The FEC header: the columns of LPF art. A47 A-1 under the spellings exports really use."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

JOURNAL_CODE = "JournalCode"
JOURNAL_LIB = "JournalLib"
ECRITURE_NUM = "EcritureNum"
ECRITURE_DATE = "EcritureDate"
COMPTE_NUM = "CompteNum"
COMPTE_LIB = "CompteLib"
COMP_AUX_NUM = "CompAuxNum"
COMP_AUX_LIB = "CompAuxLib"
PIECE_REF = "PieceRef"
PIECE_DATE = "PieceDate"
ECRITURE_LIB = "EcritureLib"
DEBIT = "Debit"
CREDIT = "Credit"
ECRITURE_LET = "EcritureLet"
DATE_LET = "DateLet"
VALID_DATE = "ValidDate"
MONTANT_DEVISE = "Montantdevise"
IDEVISE = "Idevise"
MONTANT = "Montant"
SENS = "Sens"

# normalised spelling (see ``normalise``) -> the article's name
ALIASES: dict[str, str] = {
    "journalcode": JOURNAL_CODE,
    "codejournal": JOURNAL_CODE,
    "journallib": JOURNAL_LIB,
    "journallibelle": JOURNAL_LIB,
    "libellejournal": JOURNAL_LIB,
    "ecriturenum": ECRITURE_NUM,
    "numecriture": ECRITURE_NUM,
    "ecriturenumero": ECRITURE_NUM,
    "ecrituredate": ECRITURE_DATE,
    "dateecriture": ECRITURE_DATE,
    "comptenum": COMPTE_NUM,
    "numcompte": COMPTE_NUM,
    "comptelib": COMPTE_LIB,
    "comptelibelle": COMPTE_LIB,
    "libellecompte": COMPTE_LIB,
    "compauxnum": COMP_AUX_NUM,
    "compteauxnum": COMP_AUX_NUM,
    "comptauxnum": COMP_AUX_NUM,
    "compauxnumero": COMP_AUX_NUM,
    "numcompteaux": COMP_AUX_NUM,
    "compauxlib": COMP_AUX_LIB,
    "compteauxlib": COMP_AUX_LIB,
    "comptauxlib": COMP_AUX_LIB,
    "compauxlibelle": COMP_AUX_LIB,
    "libellecompteaux": COMP_AUX_LIB,
    "pieceref": PIECE_REF,
    "piecereference": PIECE_REF,
    "refpiece": PIECE_REF,
    "piecedate": PIECE_DATE,
    "datepiece": PIECE_DATE,
    "ecriturelib": ECRITURE_LIB,
    "ecriturelibelle": ECRITURE_LIB,
    "libelleecriture": ECRITURE_LIB,
    "debit": DEBIT,
    "montantdebit": DEBIT,
    "credit": CREDIT,
    "montantcredit": CREDIT,
    "ecriturelet": ECRITURE_LET,
    "ecriturelettrage": ECRITURE_LET,
    "ecriturelettre": ECRITURE_LET,
    "lettrage": ECRITURE_LET,
    "datelet": DATE_LET,
    "datelettrage": DATE_LET,
    "validdate": VALID_DATE,
    "datevalid": VALID_DATE,
    "datevalidation": VALID_DATE,
    "montantdevise": MONTANT_DEVISE,
    "idevise": IDEVISE,
    "codedevise": IDEVISE,
    "montant": MONTANT,
    "sens": SENS,
}

# Every column the importer reads must be there; the others of the 18 may be missing.
REQUIRED = (
    JOURNAL_CODE, ECRITURE_NUM, ECRITURE_DATE, COMPTE_NUM, COMPTE_LIB, COMP_AUX_NUM, COMP_AUX_LIB,
    PIECE_REF, PIECE_DATE, ECRITURE_LIB, ECRITURE_LET,
)  # fmt: skip
DEBIT_CREDIT = (DEBIT, CREDIT)
AMOUNT_DIRECTION = (MONTANT, SENS)


def normalise(name: str) -> str:
    """``" Écriture_Date "`` and ``ECRITUREDATE`` both give ``ecrituredate``."""
    decomposed = unicodedata.normalize("NFKD", name.strip().strip('"').strip("\ufeff"))
    return "".join(ch for ch in decomposed if ch.isalnum() and ch.isascii()).lower()


class Header(NamedTuple):
    """Where each known column sits; ``width`` counts the header's fields (trailing blanks dropped)."""

    positions: dict[str, int]
    width: int
    missing: tuple[str, ...]

    @property
    def has_debit_credit(self) -> bool:
        return all(name in self.positions for name in DEBIT_CREDIT)


def read_header(fields: Sequence[str]) -> Header:
    """Map header fields to the article's names; unknown columns (DateRglt, NatOp, ...) are ignored."""
    names = list(fields)
    while names and not names[-1].strip():  # a trailing separator adds an empty column
        names.pop()
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        canonical = ALIASES.get(normalise(name))
        if canonical is not None and canonical not in positions:
            positions[canonical] = index
    missing = [name for name in REQUIRED if name not in positions]
    if not all(name in positions for name in DEBIT_CREDIT):
        if all(name in positions for name in AMOUNT_DIRECTION):
            pass
        elif any(name in positions for name in AMOUNT_DIRECTION):
            missing += [name for name in AMOUNT_DIRECTION if name not in positions]
        else:
            missing += [name for name in DEBIT_CREDIT if name not in positions]
    return Header(positions, len(names), tuple(missing))
