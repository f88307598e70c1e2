"""Text folded for search: case and accents ignored, so "electricite" finds "Électricité".

Python's ``str.lower`` and SQLite's ``lower`` do not agree on non-ASCII letters, and neither
drops accents: the fold is one table, applied by Python (and SQLite, which calls it) and
compiled into SQL for PostgreSQL (``storage.fold_sql``), so both databases find the same rows.
"""

from __future__ import annotations

ACCENTED = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸàáâãäåçèéêëìíîïñòóôõöøùúûüýÿ"
PLAIN = "AAAAAACEEEEIIIINOOOOOOUUUUYYaaaaaaceeeeiiiinoooooouuuuyy"
LIGATURES = (("Œ", "OE"), ("œ", "oe"), ("Æ", "AE"), ("æ", "ae"), ("ß", "ss"))

_TABLE = str.maketrans(ACCENTED, PLAIN)


def fold(text: str | None) -> str:
    """Lower-case, without accents or ligatures: the form both sides of a search compare."""
    if text is None:
        return ""
    folded = text.translate(_TABLE)
    for ligature, letters in LIGATURES:
        folded = folded.replace(ligature, letters)
    return folded.lower()
