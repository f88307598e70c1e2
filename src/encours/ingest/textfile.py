"""Reading text exports as users' software writes them: odd encodings, line ends, separators."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

LINE_END = re.compile(r"\r*\n|\r")
SEPARATORS = ("\t", "|", ";", ",")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) when valid, else ISO-8859-15 as French exports use."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("iso-8859-15")


class Line(NamedTuple):
    number: int  # 1-based physical line
    text: str


def physical_lines(text: str) -> Iterator[Line]:
    """Lines numbered as a user counts them; CR, LF, CRLF and CR CR LF all end one line."""
    carriage_returns = text.count("\r")
    if carriage_returns == 0 or carriage_returns == text.count("\r\n") == text.count("\n"):
        # the usual LF or CRLF file: a plain split, several times faster than the pattern
        parts = text.split("\r\n" if carriage_returns else "\n")
        if parts and not parts[-1]:
            parts.pop()
        return (Line(number, part) for number, part in enumerate(parts, 1))
    return _mixed_lines(text)


def _mixed_lines(text: str) -> Iterator[Line]:
    start = 0
    number = 0
    for match in LINE_END.finditer(text):
        number += 1
        yield Line(number, text[start : match.start()])
        start = match.end()
    if start < len(text):
        yield Line(number + 1, text[start:])


def detect_separator(header: str, candidates: tuple[str, ...] = SEPARATORS) -> str:
    """The candidate that splits the header into the most fields."""
    return max(candidates, key=lambda sep: (header.count(sep), -candidates.index(sep)))
