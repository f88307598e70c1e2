"""Bank journal: statements become bank transactions of their account, never receivables.

Before this revision every bank credit was imported as a ledger payment, of customer
UNIDENTIFIED when no customer was recognised. Upgrading fixes such a database: those
payments (and any allocation of them) leave the ledger and become unmatched customer
credits of the journal; bank payments that had been attributed to a customer stay in the
ledger, and the journal records them as matched lines linked to them.

Revision ID: 0601_bank_journal
Revises: 0603_einvoice_lifecycle
"""

import datetime as dt
import re

import sqlalchemy as sa
from alembic import op

from encours.domain.bank import SameDayKey, TransactionKind, fingerprint, normal_account

revision = "0601_bank_journal"
down_revision = "0603_einvoice_lifecycle"
branch_labels = None
depends_on = None

UNIDENTIFIED = "UNIDENTIFIED"
# the old key: "bank:<account>:<YYYY-MM-DD>:<reference>:<amount>" with "#<n>" for the n-th twin
_OLD_KEY = re.compile(
    r"^bank:(?P<account>.*):(?P<day>\d{4}-\d{2}-\d{2}):(?P<ref>.*):[-\d.]+(?:#(?P<n>\d+))?$"
)


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("first_imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("account", name=op.f("uq_bank_accounts_account")),
    )
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "bank_transactions",
        sa.Column("id", big_id, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("statement_id", sa.String(length=64), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payer_name", sa.String(length=255), nullable=False),
        sa.Column("payer_iban", sa.String(length=34), nullable=False),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("creditor_reference", sa.String(length=64), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=64), nullable=False),
        sa.Column("bank_reference", sa.String(length=80), nullable=False),
        sa.Column("transaction_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("payment_entry_id", big_id, nullable=True),
        sa.Column("source_format", sa.String(length=16), nullable=False),
        sa.Column("source_file", sa.String(length=1024), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.customer_id"],
            name=op.f("fk_bank_transactions_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_entry_id"], ["entries.id"],
            name=op.f("fk_bank_transactions_payment_entry_id_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_transactions")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_bank_transactions_fingerprint")),
    )  # fmt: skip
    op.create_index(
        "ix_bank_transactions_same_day", "bank_transactions",
        ["account", "booking_date", "amount_cents", "currency"],
    )  # fmt: skip
    op.create_index("ix_bank_transactions_status", "bank_transactions", ["status", "kind", "booking_date"])
    op.create_index("ix_bank_transactions_payment", "bank_transactions", ["payment_entry_id"])
    _move_bank_payments()


def _move_bank_payments() -> None:
    """Bank credits stored as ledger payments become lines of the journal (see the docstring)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT e.id, e.key, e.date, e.amount_cents, e.currency, e.reference, e.label, c.customer_id,"
            " b.file_name, b.format FROM entries e JOIN customers c ON c.id = e.customer_pk"
            " LEFT JOIN import_batches b ON b.id = e.batch_id"
            " WHERE e.key LIKE 'bank:%' AND e.kind = 'payment' ORDER BY e.id"
        )
    ).all()
    now = dt.datetime.now(dt.UTC)
    lines: list[dict[str, object]] = []
    moved: list[int] = []
    accounts: dict[str, str] = {}
    for entry_id, key, day, cents, currency, reference, label, customer_id, file_name, batch_format in rows:
        found = _OLD_KEY.match(key)
        if found is None:
            continue
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
        account = normal_account(found["account"].strip("-"))[:64] or "-"
        accounts.setdefault(account, currency)
        occurrence = int(found["n"] or 1)
        same_day = SameDayKey(account, day, -int(cents), currency)
        payer, _, text = label.partition(" | ") if " | " in label else ("", "", label)
        identified = customer_id != UNIDENTIFIED
        lines.append(
            {
                "fingerprint": fingerprint(same_day, occurrence), "occurrence": occurrence,
                "account": account, "statement_id": "", "booking_date": day, "value_date": None,
                "amount_cents": -int(cents), "currency": currency, "payer_name": payer[:255],
                "payer_iban": "", "remittance": text, "creditor_reference": "", "end_to_end_id": "",
                "bank_reference": "" if identified else reference[:80], "transaction_code": "",
                "kind": TransactionKind.CUSTOMER_CREDIT.value,
                "status": "matched" if identified else "unmatched",
                "reason": "attributed to the customer by an earlier import" if identified else "",
                "customer_id": customer_id if identified else None,
                "payment_entry_id": entry_id if identified else None,
                "source_format": _family(batch_format or ""), "source_file": (file_name or "")[:1024],
                "source_line": 0,
                "imported_at": now, "decided_at": now if identified else None,
            }
        )  # fmt: skip
        if not identified:
            moved.append(entry_id)
    lines = list({line["fingerprint"]: line for line in lines}.values())
    if lines:
        op.bulk_insert(_table("bank_transactions", lines[0]), lines)
        account_rows = [{"account": a, "currency": c, "first_imported_at": now} for a, c in accounts.items()]
        op.bulk_insert(_table("bank_accounts", account_rows[0]), account_rows)
    for start in range(0, len(moved), 500):
        ids = moved[start : start + 500]
        params = {"ids": ids}
        expanding: list[sa.BindParameter[list[int]]] = [sa.bindparam("ids", expanding=True)]
        bind.execute(
            sa.text("DELETE FROM allocations WHERE credit_entry_id IN :ids OR debit_entry_id IN :ids")
            .bindparams(*expanding), params,
        )  # fmt: skip
        bind.execute(sa.text("DELETE FROM entries WHERE id IN :ids").bindparams(*expanding), params)
    if moved:
        _drop_unidentified_customer(bind)


def _drop_unidentified_customer(bind: sa.Connection) -> None:
    """The catch-all customer goes when nothing refers to it any more (else it stays, empty)."""
    left = bind.execute(
        sa.text(
            "SELECT COUNT(*) FROM entries e JOIN customers c ON c.id = e.customer_pk WHERE c.customer_id = :c"
        ),
        {"c": UNIDENTIFIED},
    ).scalar_one()
    if left:
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("DELETE FROM customers WHERE customer_id = :c"), {"c": UNIDENTIFIED})
    except sa.exc.IntegrityError:  # a note, a dispute... still names it
        pass


def _family(format_name: str) -> str:
    return "camt" if format_name.startswith("camt") else format_name[:16]


def _table(name: str, sample: dict[str, object]) -> sa.TableClause:
    return sa.table(name, *(sa.column(column) for column in sample))


def downgrade() -> None:
    op.drop_table("bank_transactions")
    op.drop_table("bank_accounts")
