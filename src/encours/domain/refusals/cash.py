"""Refusals of the cash-application screen and of allocating receipts by hand."""

# ruff: noqa: E501 -- one sentence per line reads better than a wrapped one

from __future__ import annotations

STATUS = {
    "matched": "lettré",
    "suggested": "proposé",
    "unmatched": "non identifié",
    "duplicate": "en double",
    "ignored": "écarté",
    "on_account": "au crédit du compte",
    "not_customer": "hors clients",
}

SENTENCES: dict[str, tuple[str, str] | tuple[str, str, dict[str, dict[str, str]]]] = {
    "one_amount_per_invoice": ("un montant par facture", "one amount per invoice"),
    "no_invoice_ticked": ("cochez au moins une facture", "tick at least one invoice"),
    "cannot_allocate": ("{amount} ne peut pas être lettré : il reste {room} sur l'encaissement et la facture {invoice} doit {owed}", "{amount} cannot be allocated: the receipt has {room} left, invoice {invoice} owes {owed}"),
    "no_receipt_text": ("aucun encaissement {receipt!r} (numéro de ligne bancaire ou référence de paiement)", "no receipt {receipt!r} (a bank line id or a payment reference)"),
    "several_receipts": ("plusieurs paiements ont la référence {receipt!r} : utilisez le numéro de ligne bancaire", "several payments have the reference {receipt!r}: use the bank line's id"),
    "no_invoice": ("aucune facture {invoice!r}", "no invoice {invoice!r}"),
    "no_invoice_of_customer": ("aucune facture {invoice!r} de ce client", "no invoice {invoice!r} of this receipt's customer"),
    "several_invoices": ("plusieurs factures portent le numéro {invoice!r}", "several invoices are numbered {invoice!r}"),
    "line_not_a_payment": ("la ligne bancaire {line} n'est pas un paiement de client", "bank line {line} is {kind}, not a customer's payment"),
    "line_duplicate": ("la ligne bancaire {line} est le même argent qu'un encaissement déjà en comptabilité : délettrez-le d'abord", "bank line {line} is the same money as a receipt in the ledger: unallocate it first"),
    "not_allocated": ("l'encaissement {receipt} n'est lettré à rien", "receipt {receipt} is not allocated"),
    "nothing_to_undo": ("l'encaissement {receipt} n'a aucun lettrage du rapprochement à défaire", "receipt {receipt} has no allocation made by cash application to undo"),
    "no_customer_receipt": ("aucun encaissement client {receipt}", "no customer receipt {receipt}"),
    "no_proposal": ("l'encaissement {receipt} n'a pas de proposition à confirmer : lettrez-le à la main", "receipt {receipt} has no proposal to confirm: allocate it by hand"),
    "receipt_decided": ("l'encaissement {receipt} est déjà {status} : délettrez-le d'abord", "receipt {receipt} is {status}: unallocate it first", {"status": STATUS}),
    "no_charge_to_book": ("l'encaissement {receipt} n'est lettré à rien : aucun frais à passer", "receipt {receipt} is allocated to nothing: no charge to book"),
    "not_a_charge": ("les {left} restant sur {invoice} ne sont pas des frais bancaires (au plus {limit})", "{left} left on {invoice} is not a bank charge (at most {limit})"),
    "say_what_credit": ("indiquez ce qu'est ce crédit", "say what this credit is"),
    "line_linked": ("la ligne bancaire {line} est liée à un paiement : défaites ce lien d'abord", "bank transaction {line} is linked to a payment: unlink it first"),
    "line_not_credit": ("la ligne bancaire {line} n'est pas un crédit de client", "bank transaction {line} is {kind}, not a customer credit"),
    "line_linked_elsewhere": ("la ligne bancaire {line} est déjà liée à un autre paiement", "bank transaction {line} is already linked to another payment"),
    "no_bank_line": ("aucune ligne bancaire {line}", "no bank transaction {line}"),
    "concurrent_import": ("une autre importation a enregistré ces lignes bancaires au même moment : importez de nouveau le fichier", "another import stored these bank transactions at the same time: import the file again"),
}  # fmt: skip
