"""The page-box check: every glyph of a PDF lies inside the printable area of its page.

The page's content stream is interpreted (graphics state ``q``/``Q``/``cm``, text state and
positioning ``Tf Tm Td TD T* Tc Tz Ts``, shown strings ``Tj TJ ' "``) and each string's glyphs
are advanced with the widths of its font (``/W`` of a CID font, ``/Widths`` of a simple one),
so the box of every shown string is known exactly: a table running past the right edge (a cut
column), an address block pushed off the sheet or a footer below the page all fail.
"""

from __future__ import annotations

import io
from typing import Any, NamedTuple

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

MM = 72 / 25.4
PRINTABLE_MARGIN_MM = 5.0  # what office printers leave unprinted on every side of an A4 sheet

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


class Shown(NamedTuple):
    page: int
    left: float  # mm from the left edge of the page
    right: float
    bottom: float  # mm from the bottom edge
    top: float


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m × n (PDF row-vector convention: a point is transformed by m, then by n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)  # fmt: skip


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


class FontWidths:
    """Glyph advances (in thousandths of an em) of a font resource, by character code."""

    def __init__(self, font: DictionaryObject) -> None:
        self.two_bytes = font.get("/Subtype") == "/Type0"
        self.widths: dict[int, float] = {}
        if self.two_bytes:
            descendant = font["/DescendantFonts"][0].get_object()
            self.default = float(descendant.get("/DW", 1000))
            items = list(descendant.get("/W", ArrayObject()))
            i = 0
            while i < len(items):
                first = int(items[i])
                following = items[i + 1].get_object() if hasattr(items[i + 1], "get_object") else items[i + 1]
                if isinstance(following, list):
                    for offset, width in enumerate(following):
                        self.widths[first + offset] = float(width)
                    i += 2
                else:
                    for code in range(first, int(following) + 1):
                        self.widths[code] = float(items[i + 2])
                    i += 3
        else:
            self.default = float(font.get("/FontDescriptor", {}).get("/MissingWidth", 500))
            first = int(font.get("/FirstChar", 0))
            for offset, width in enumerate(font.get("/Widths", [])):
                self.widths[first + offset] = float(width)

    def advances(self, data: bytes) -> list[float]:
        if self.two_bytes:
            codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        else:
            codes = list(data)
        return [self.widths.get(code, self.default) for code in codes]


def shown_boxes(data: bytes) -> list[Shown]:
    """The box of every string shown on every page, in mm from the page's bottom-left corner."""
    boxes: list[Shown] = []
    reader = PdfReader(io.BytesIO(data))
    for number, page in enumerate(reader.pages, start=1):
        resources = page["/Resources"].get_object()
        fonts = {name: FontWidths(font.get_object()) for name, font in resources.get("/Font", {}).items()}
        boxes.extend(_page_boxes(number, page.get_contents().operations, fonts))
    return boxes


def _page_boxes(
    number: int, operations: list[tuple[list[Any], bytes]], fonts: dict[str, FontWidths]
) -> list[Shown]:
    boxes: list[Shown] = []
    ctm: Matrix = IDENTITY
    stack: list[Matrix] = []
    tm: Matrix = IDENTITY
    line: Matrix = IDENTITY
    font: FontWidths | None = None
    size = spacing = rise = leading = 0.0
    scale = 1.0

    def show(parts: list[Any]) -> None:
        nonlocal tm
        start = tm
        advance = 0.0
        for part in parts:
            if isinstance(part, bytes | str):
                raw = bytes(part) if isinstance(part, bytes) else bytes(part.original_bytes)
                for width in font.advances(raw) if font is not None else [500.0] * len(raw):
                    advance += (width / 1000 * size + spacing) * scale
            else:
                advance -= float(part) / 1000 * size * scale
        tm = multiply((1, 0, 0, 1, advance, 0), tm)
        corners = [
            apply(multiply(start, ctm), 0, rise),
            apply(multiply(start, ctm), 0, rise + size),
            apply(multiply(tm, ctm), 0, rise),
            apply(multiply(tm, ctm), 0, rise + size),
        ]
        xs, ys = [p[0] / MM for p in corners], [p[1] / MM for p in corners]
        boxes.append(Shown(number, min(xs), max(xs), min(ys), max(ys)))

    for operands, operator in operations:
        op = operator.decode() if isinstance(operator, bytes) else operator
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else IDENTITY
        elif op == "cm":
            ctm = multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif op == "BT":
            tm = line = IDENTITY
        elif op == "Tf":
            font, size = fonts.get(str(operands[0])), float(operands[1])
        elif op == "Tc":
            spacing = float(operands[0])
        elif op == "Tz":
            scale = float(operands[0]) / 100
        elif op == "Ts":
            rise = float(operands[0])
        elif op == "TL":
            leading = float(operands[0])
        elif op == "Tm":
            tm = line = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif op in ("Td", "TD"):
            if op == "TD":
                leading = -float(operands[1])
            tm = line = multiply((1, 0, 0, 1, float(operands[0]), float(operands[1])), line)
        elif op == "T*":
            tm = line = multiply((1, 0, 0, 1, 0, -leading), line)
        elif op == "Tj":
            show([operands[0]])
        elif op == "TJ":
            show(list(operands[0]))
        elif op in ("'", '"'):
            tm = line = multiply((1, 0, 0, 1, 0, -leading), line)
            show([operands[-1]])
    return boxes


def outside_printable_area(data: bytes, margin_mm: float = PRINTABLE_MARGIN_MM) -> list[Shown]:
    """The strings of the PDF that leave its pages' printable area (none for a good letter)."""
    reader = PdfReader(io.BytesIO(data))
    sizes = {
        n: (float(p.mediabox.width) / MM, float(p.mediabox.height) / MM)
        for n, p in enumerate(reader.pages, 1)
    }
    return [
        box
        for box in shown_boxes(data)
        if box.left < margin_mm
        or box.bottom < margin_mm
        or box.right > sizes[box.page][0] - margin_mm
        or box.top > sizes[box.page][1] - margin_mm
    ]
