"""A crash on purpose after N deliveries (``ENCOURS_FAULT_AFTER_SENDS``), to prove recovery in tests."""

from __future__ import annotations

import os

CRASH_EXIT_CODE = 86


class FaultInjector:
    """Exit the process abruptly after ``after`` deliveries; None never does."""

    def __init__(self, after: int | None) -> None:
        self.remaining = after if after is not None and after >= 0 else None

    def delivered(self) -> None:
        if self.remaining is None:
            return
        self.remaining -= 1
        if self.remaining <= 0:
            os._exit(CRASH_EXIT_CODE)
