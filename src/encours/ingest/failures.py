"""A parser's crash on a hostile file is the file's fault: turned into a refusal naming a line.

Libraries raise many types on damaged input (lxml, ofxtools, mt-940, pypdf, the decimal and
date constructors, the csv module, deep nesting); ``unreadable`` says which line they point
at when they tell, else line 1, so no input ends as an internal error (SPEC §2, last sentence).
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET

from lxml import etree

from encours.domain.errors import LedgerError

# What reading untrusted bytes may raise; a bug elsewhere (NameError, an ORM error) still
# surfaces as an internal error.
PARSER_FAILURES: tuple[type[BaseException], ...] = (
    ValueError,  # UnicodeDecodeError, dates out of range, int() of text, ...
    ArithmeticError,  # decimal.InvalidOperation, OverflowError
    LookupError,  # KeyError, IndexError inside a library's tree walk
    TypeError,
    AttributeError,
    AssertionError,
    RecursionError,
    SyntaxError,  # xml.etree's ParseError, ofxtools' ParseError and OFXHeaderError
    csv.Error,
    etree.Error,
    ET.ParseError,
)
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")


def failure_line(data: bytes, exc: BaseException) -> int:
    """The 1-based line the exception points at, when it says; else 1."""
    if isinstance(exc, UnicodeDecodeError):
        return data.count(b"\n", 0, exc.start) + 1
    for attribute in ("lineno", "line", "sourceline"):
        value = getattr(exc, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    found = _LINE_IN_MESSAGE.search(str(exc))
    return int(found.group(1)) if found else 1


def unreadable(file: str, data: bytes, format_name: str, exc: BaseException) -> LedgerError:
    reason = " ".join(str(exc).split())[:160] or type(exc).__name__
    message = f"unreadable {format_name} file ({type(exc).__name__}: {reason}); check the export"
    return LedgerError(file, failure_line(data, exc), "", message)
