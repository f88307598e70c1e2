"""Whole-ledger figures (aged balance, KPIs, trends) computed once per ledger state.

The key includes a cheap fingerprint of the ledger (highest ids of entries, allocations and
import batches), so an import or a cash application shows at once; a time limit catches the
rare in-place change. One lock per key: fifty users opening the dashboard compute it once.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from encours.ledger.queries import state

T = TypeVar("T")

TTL_SECONDS = 300.0
MAX_ENTRIES = 256


def settle() -> None:
    """Move the big cached figures out of the garbage collector's generations: a full
    collection over 100k cached rows otherwise stalls requests for hundreds of ms."""
    gc.collect(1)
    gc.freeze()


def ledger_fingerprint(session: Session) -> tuple[Any, ...]:
    """Read once per unit of work (one request): every figure of a page sees the same state."""
    found = session.info.get("ledger_fingerprint")
    if found is None:
        found = session.info["ledger_fingerprint"] = state(session)
    return found


class FigureCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        hit = self._values.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]  # type: ignore[no-any-return]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            hit = self._values.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.ttl:
                return hit[1]  # type: ignore[no-any-return]
            value = compute()
            settle()
            with self._guard:
                if len(self._values) >= MAX_ENTRIES:
                    self._values.clear()
                    self._locks = {key: lock}
                self._values[key] = (time.monotonic(), value)
            return value

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """(found, value) without computing."""
        hit = self._values.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return True, hit[1]
        return False, None

    def put(self, key: Hashable, value: Any) -> None:
        with self._guard:
            if len(self._values) >= MAX_ENTRIES:
                self._values.clear()
            self._values[key] = (time.monotonic(), value)
        settle()

    def clear(self) -> None:
        with self._guard:
            self._values.clear()
