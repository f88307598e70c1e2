"""Files a user may edit: theirs in the data directory (``ENCOURS_DATA_DIR``), else the shipped one.

Scenarios, e-mail and letter templates, KPI thresholds, ``company.toml`` and the rate table
all follow this one rule, so a copy edited in the data directory always wins.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import NamedTuple

SHIPPED = "encours.data"


class DataFile(NamedTuple):
    source: str  # what messages name: the user's path, or e.g. encours/data/kpi_thresholds.toml
    file: Traversable
    shipped: bool

    def read_text(self) -> str:
        return self.file.read_text(encoding="utf-8")


def shipped_file(name: str, package: str = SHIPPED) -> DataFile:
    return DataFile(f"{package.replace('.', '/')}/{name}", resources.files(package).joinpath(name), True)


def user_or_shipped(name: str, data_dir: Path | None, package: str = SHIPPED) -> DataFile:
    """``data_dir/name`` when the user has that file, else ``name`` shipped in ``package``.

    ``data_dir`` None means the shipped file (what the tests of shipped defaults ask for).
    """
    if data_dir is not None:
        user = data_dir / name
        if user.is_file():
            return DataFile(str(user), user, False)
    return shipped_file(name, package)
