"""Reminders, notices and statements print an ISO 11649 reference under each invoice and the
customer's own beside the payment details (SPEC §10), in French and English, e-mails too."""

from __future__ import annotations

from pathlib import Path

import pytest

from encours.domain import creditor_reference as rf
from encours.dunning.documents import load_company, render_email, render_letter
from encours.dunning.rates import load_rate_table
from encours.dunning.template_check import sample_contexts


@pytest.mark.parametrize("language", ["fr", "en"])
def test_letters_and_emails_carry_the_references_cash_application_reads(
    language: str, tmp_path: Path
) -> None:
    company = load_company(tmp_path)
    contexts = sample_contexts(language, company, load_rate_table(None, tmp_path).table)
    letter = contexts["letters"][0]
    customer_ref = rf.customer_reference(letter["customer"].customer_id)
    for template in ("reminder", "statement", "formal_notice"):
        html = render_letter(template, language, letter, tmp_path)
        assert customer_ref in html
        for line in letter["invoices"]:
            printed = rf.invoice_reference(line.reference)
            assert printed in html
            # what a customer copies from the letter leads cash application back to the invoice
            assert rf.found_in(f"VIR {printed}") == [rf.parse(printed)]
    email = render_email("reminder", language, contexts["email"][0], tmp_path)
    assert customer_ref in email.body and rf.invoice_reference(letter["invoices"][0].reference) in email.body
