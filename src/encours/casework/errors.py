"""The one error casework services raise on bad input; callers map it to exit 2 or HTTP 422."""

from __future__ import annotations

from encours.domain.errors import DomainError


class CaseworkError(DomainError):
    """Bad input to a casework service (unknown customer or invoice, bad amount...)."""

    def __init__(self, field: str, message: str, status_code: int = 422) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        self.status_code = status_code


class NotFound(CaseworkError):
    """The named customer, invoice, dispute, promise, plan or task does not exist."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message, status_code=404)
