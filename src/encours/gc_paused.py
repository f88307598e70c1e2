"""Pausing Python's cyclic garbage collector while building millions of small acyclic tuples.

Such batches (a parsed FEC, a dunning run's decisions) trigger collection after collection
that finds nothing to free and only slows the build down.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
