"""Every dunning query behind one object, for callers that use several jobs at once (the outbox).

Each job has its own module: ``candidates`` (which invoices are due), ``actions`` (the run's
outbox rows and markers), ``penalty_terms`` and ``invoice_facts`` (what letters state).
"""

from __future__ import annotations

from encours.dunning.actions import ActionRepository
from encours.dunning.candidates import CandidateRepository
from encours.dunning.invoice_facts import InvoiceFacts, InvoiceFactsRepository
from encours.dunning.penalty_terms import PenaltyTermsRepository

__all__ = ["DunningRepository", "InvoiceFacts"]


class DunningRepository(
    CandidateRepository, ActionRepository, PenaltyTermsRepository, InvoiceFactsRepository
):
    """The four dunning repositories over one session."""
