"""The error root: a message naming the field at fault; line errors stay data on the error."""

from __future__ import annotations

from encours.domain.errors import EncoursError, InvalidInput, InvalidLines, LedgerError, NotFound


def test_the_message_names_the_field_at_fault() -> None:
    assert str(InvalidInput("empty note", field="body")) == "body: empty note"
    assert str(EncoursError("sending the digest failed")) == "sending the digest failed"
    assert NotFound("no customer 'X'").status == 404


def test_line_errors_keep_every_bad_line() -> None:
    lines = [
        LedgerError("a.csv", 3, "amount", "not an amount"),
        LedgerError("a.csv", 7, "date", "invalid date"),
    ]
    refusal = InvalidLines("a.csv: nothing imported", lines)
    assert (refusal.status, refusal.message, refusal.errors) == (422, "a.csv: nothing imported", tuple(lines))
