"""Importing files, whoever asks (``encours import``, the browser's import job): one dispatch.

Ledger files go to the ledger, bank statements to the bank journal (never straight into
receivables, SPEC §10), CDAR lifecycle statuses to e-invoicing (SPEC §11). It sits above the
three packages it dispatches to, so none of them knows the others.
"""
