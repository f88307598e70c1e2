"""Screen texts of cash application: the RF reference to quote, the receipts screen, the reasons."""

from __future__ import annotations

from encours.domain.cash_reasons import REASONS

TEXTS: dict[str, tuple[str, str]] = {
    "cash_rf_quote": (
        "Référence de paiement (RF) à indiquer sur votre virement pour l'ensemble de votre compte :",
        "Payment reference (RF) to quote on your transfer for your whole account:",
    ),
    **{f"cash_reason_{code}": pair for code, pair in REASONS.items()},
}
