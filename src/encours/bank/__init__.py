"""The bank journal: every line of the company's bank statements, outside receivables (SPEC §10).

Interface for cash application (and the web):

- ``encours.bank.repository.BankRepository(session)``
  - ``unmatched_credits(up_to=None, statuses=(UNMATCHED,))`` → ``StoredTransaction`` list: the
    customer credits (kind ``customer_credit``) not matched yet, booked on or before ``up_to``,
    oldest first. Debits, interest, refunds, own transfers and other credits are never listed.
  - ``get(id)``, ``by_ids(ids)``, ``by_payment(entry_id)``.
  - ``link_payment(id, entry_id, customer_id=..., reason=..., status=MATCHED|DUPLICATE)``: a
    match creates a ledger payment keyed ``encours.domain.bank.payment_key(id)`` ("bank:<id>",
    with its allocations) and links it here; a credit that is a receipt already in the ledger
    (SPEC §10, same customer, amount, date within 5 days) is linked to that one as ``duplicate``.
  - ``unlink_payment(id, reason="")`` → the entry id it was linked to (the caller deletes the
    payment it made, with its allocations); the line is ``unmatched`` again.
  - ``mark(id, SUGGESTED|UNMATCHED|IGNORED, customer_id=None, reason="")``: decisions without
    a payment, the reason in plain words.
- ``encours.bank.queries.unidentified_receipts(session, as_of)``: what ``encours cash
  unmatched`` lists (date, amount, payer, remittance, account), for the CLI and the web.
- ``encours.bank.import_service.BankImportService(session).import_file(source)``: statement
  files → journal lines, deduplicated by fingerprint (``encours.domain.bank``), balances
  checked; it never writes ledger entries, so the aged balance and KPIs do not move.
- Statuses and kinds: ``encours.domain.bank.TransactionStatus`` / ``TransactionKind``. Only a
  ``customer_credit`` starts ``unmatched``; debits, interest, refunds, own transfers and other
  lines are stored ``ignored`` and can never be linked to a payment.

Rows (``encours.bank.models``) stay this package's own: adapters use the functions above.
"""
