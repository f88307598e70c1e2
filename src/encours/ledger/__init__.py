"""The receivable ledger: storing imported records and reading them back."""
