"""Screen texts in French and English, one module per area of the app.

Every module of this package defines ``TEXTS: dict[str, tuple[str, str]]`` (key: (français,
English)); they are gathered here so that an area adds its words in its own file. A key
defined twice is a mistake and refused at import.
"""

from __future__ import annotations

import importlib
import pkgutil


def _gather() -> dict[str, tuple[str, str]]:
    texts: dict[str, tuple[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for key, pair in getattr(module, "TEXTS", {}).items():
            if key in texts:
                raise RuntimeError(f"screen text {key!r} defined twice (in {module_info.name})")
            texts[key] = pair
    return texts


TEXTS = _gather()
