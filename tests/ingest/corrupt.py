"""Sample files with one deliberate fault, for the tests of how importers report errors."""

from __future__ import annotations

from pathlib import Path


def corrupt(tmp_path: Path, sample: Path, old: str, new: str, encoding: str = "utf-8") -> tuple[Path, int]:
    """Copy of ``sample`` with the first ``old`` replaced; returns it and the 1-based line changed."""
    content = sample.read_bytes().decode(encoding)
    position = content.index(old)
    path = tmp_path / sample.name
    path.write_bytes((content[:position] + new + content[position + len(old) :]).encode(encoding))
    return path, content.count("\n", 0, position) + 1
