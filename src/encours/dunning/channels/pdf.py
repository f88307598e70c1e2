"""PDF letters with WeasyPrint: real text PDFs (searchable, extractable), written atomically."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

_per_thread = threading.local()


def font_config() -> FontConfiguration:
    """This thread's fonts, found and loaded once rather than for every letter (a fifth of a
    letter's CPU); one per thread because Pango's font map is not shared safely across threads.
    The PDF is byte for byte the one a fresh configuration makes."""
    found: FontConfiguration | None = getattr(_per_thread, "fonts", None)
    if found is None:
        found = _per_thread.fonts = FontConfiguration()
    return found


def write_pdf(html: str, path: Path) -> Path:
    """Render ``html`` to ``path``; a crash midway never leaves a half-written letter behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    HTML(string=html, base_url=str(path.parent)).write_pdf(str(partial), font_config=font_config())
    os.replace(partial, path)
    return path
