"""What a statement line is, from the transaction code its format gives (SPEC §10).

Only credits need it: a debit is a debit. A credit is a customer credit candidate unless its
code (or, in CFONB and MT940 files, whose codes are national, its label) says it is
interest, money back (a reversed debit, a returned transfer, refunded fees) or surely no
customer's (loans, securities, currency exchange, card settlements). Unknown or generic codes
stay candidates: most money reaching a company's account is its customers'. Transfers
between the company's own accounts are recognised by the journal, from its accounts' IBANs.
"""

from __future__ import annotations

import re
from decimal import Decimal

from encours.domain.bank import TransactionKind

CANDIDATE = TransactionKind.CUSTOMER_CREDIT
INTEREST, REFUND, OTHER = TransactionKind.INTEREST, TransactionKind.REFUND, TransactionKind.OTHER
OWN = TransactionKind.OWN_TRANSFER

# ISO 20022 external bank transaction codes (Domain/Family/SubFamily)
_CAMT_SUBFAMILIES = {
    "INTR": INTEREST,  # interest, whatever the family
    "CHRG": REFUND, "FEES": REFUND, "COMM": REFUND, "COMI": REFUND, "TAXE": REFUND,  # refunded
    "RRTN": REFUND, "RPCR": REFUND, "ARET": REFUND, "RCDD": REFUND,  # returns and reversals
}  # fmt: skip
_CAMT_FAMILIES = {
    "RCDT": CANDIDATE, "RCHQ": CANDIDATE, "IDDT": CANDIDATE, "LBOX": CANDIDATE,  # customers paying us
    "ICDT": REFUND, "ICHQ": REFUND, "RDDT": REFUND,  # credits on what we pay: money back
    "CCRD": REFUND, "MCRD": OTHER, "POSD": OTHER,  # our card refunded; card acquiring settlements
    "ACCB": OWN,  # cash management: sweeping, topping, zero balancing between our accounts
}  # fmt: skip
_CAMT_DOMAINS = {"PMNT": CANDIDATE, "CAMT": OWN, "LDAS": OTHER, "SECU": OTHER, "FORX": OTHER,
                 "DERV": OTHER, "TRAD": OTHER, "PMET": OTHER, "ACMT": OTHER}  # fmt: skip


def camt_code(domain: str, family: str, subfamily: str, proprietary: str) -> str:
    """The code as stored: ``PMNT/RCDT/ESCT``, else the bank's proprietary code."""
    return "/".join(p for p in (domain, family, subfamily) if p) or proprietary


def camt_kind(amount: Decimal, domain: str, family: str, subfamily: str, reversal: bool) -> TransactionKind:
    if amount < 0:
        return TransactionKind.DEBIT
    if reversal:
        return REFUND  # a credit reversing one of our debits
    return (
        _CAMT_SUBFAMILIES.get(subfamily)
        or _CAMT_FAMILIES.get(family)
        or _CAMT_DOMAINS.get(domain)
        or CANDIDATE
    )


# OFX 2.x section 11.4.4.3 TRNTYPE
_OFX = {
    "INT": INTEREST, "DIV": INTEREST,
    "FEE": REFUND, "SRVCHG": REFUND, "DEBIT": REFUND, "PAYMENT": REFUND, "ATM": REFUND,
    "POS": REFUND, "DIRECTDEBIT": REFUND, "REPEATPMT": REFUND,
}  # fmt: skip


def ofx_kind(amount: Decimal, trntype: str, card_account: bool, label: str = "") -> TransactionKind:
    """Generic types (CREDIT, OTHER...) are read further from the transaction's name."""
    if amount < 0:
        return TransactionKind.DEBIT
    if card_account:
        return REFUND  # a credit on a card account is a refund, never a customer's payment
    return _OFX.get(trntype.upper()) or label_kind(label) or CANDIDATE


# CFONB interbank operation codes (record 04, positions 33-34) whose credits are no receipt
_CFONB = {"06": REFUND, "28": REFUND, "29": REFUND, "62": REFUND, "01": REFUND}
# Labels, as banks print them at the start of the movement's label (French first)
_LABELS = (
    (re.compile(r"^(INT(ERETS?|\.)?\s*(CRED|CREDITEURS?|S/)|INTERETS?\b|REMUNERATION)"), INTEREST),
    (re.compile(r"^(REMB(T|OURSEMENT)?|RETOUR|REJET|ANNUL(ATION)?|REGUL|EXTOURNE|AVOIR)\b"), REFUND),
    # a credit labelled as a direct debit ("PRLV SEPA <creditor>") gives back what was debited;
    # collections we make as creditor are "REMISE PRLV"
    (re.compile(r"^(PRLV|PRELEVEMENT|CARTE|CB)\b"), REFUND),
    (re.compile(r"^(VIR(EMENT)?\s+(INTERNE|CPTE A CPTE|DE COMPTE A COMPTE)|VIR\s+TRESO)"), OWN),
    (re.compile(r"^(PRET|ECHEANCE PRET|DEBLOCAGE|TITRES|COUPONS?|CHANGE)\b"), OTHER),
    (re.compile(r"^(DIVIDENDS?|INTEREST)\b"), INTEREST),  # English-speaking banks' OFX
    (re.compile(r"^(REFUND|RETURN(ED)?|REVERSAL|CHARGEBACK)\b"), REFUND),
)


def label_kind(label: str) -> TransactionKind | None:
    """The kind a French bank's label states (``INTERETS CREDITEURS``, ``REMBT``...), if any."""
    text = " ".join(label.upper().split())
    return next((kind for pattern, kind in _LABELS if pattern.match(text)), None)


def cfonb_kind(amount: Decimal, code: str, label: str) -> TransactionKind:
    if amount < 0:
        return TransactionKind.DEBIT
    return _CFONB.get(code) or label_kind(label) or CANDIDATE


# MT940 :61: transaction type (N + SWIFT code) and German :86: business codes (GVC)
_SWIFT = {"NINT": INTEREST, "NRTI": REFUND, "NCHG": REFUND, "NCOM": REFUND, "NSEC": OTHER,
          "NFEX": OTHER, "NLDP": OTHER, "NLOA": OTHER, "NDIV": INTEREST}  # fmt: skip
_GVC = {"159": REFUND, "108": REFUND, "109": REFUND, "184": REFUND, "805": INTEREST, "814": INTEREST,
        "804": INTEREST, "809": REFUND, "810": REFUND}  # fmt: skip


def mt940_code(swift: str, business_code: str) -> str:
    return ";".join(p for p in (swift, business_code) if p)


def mt940_kind(
    amount: Decimal, swift: str, business_code: str, label: str, reversal: bool
) -> TransactionKind:
    if amount < 0:
        return TransactionKind.DEBIT
    if reversal:
        return REFUND
    return _GVC.get(business_code) or _SWIFT.get(swift.upper()) or label_kind(label) or CANDIDATE
