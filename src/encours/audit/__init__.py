"""Append-only audit trail: who did what to which customer or document, and when."""
