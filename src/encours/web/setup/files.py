"""Writing a user-editable file of the data directory: atomically, with an audit entry."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from encours.audit.service import record


class Problems(dict[str, str]):
    """Form field -> screen text key of what is wrong with it; empty when the form is good."""


def atomic_write(target: Path, text: str) -> None:
    """A reader (the CLI, another web process) sees the old file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_data_file(session: Session, actor: str, data_dir: Path, name: str, text: str) -> Path:
    """``data_dir/name`` replaced by ``text``; the audit entry goes with the request's unit of work."""
    target = data_dir / name
    atomic_write(target, text)
    record(session, actor, "settings.file_saved", subject=name, details={"file": str(target)})
    return target
