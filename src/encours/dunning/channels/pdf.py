"""PDF letters with WeasyPrint: real text PDFs (searchable, extractable), written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from weasyprint import HTML


def write_pdf(html: str, path: Path) -> Path:
    """Render ``html`` to ``path``; a crash midway never leaves a half-written letter behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    HTML(string=html, base_url=str(path.parent)).write_pdf(str(partial))
    os.replace(partial, path)
    return path
