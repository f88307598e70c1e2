"""A refusal in the reader's language: the coded sentence of ``domain.refusals``, never the
service's English on a French page.

Refusals without a code (rare ones a page cannot trigger) read as a French generic sentence
for their kind; FastAPI's own checks of a form field (pydantic's errors) are mapped by their
type to the catalogue's ``form_*`` sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from encours.domain.errors import EncoursError, InvalidInput
from encours.domain.refusals import Value
from encours.web.ui.i18n import text

# pydantic's error type: (code of domain.refusals.inputs, the context value it names)
FORM_CHECKS: dict[str, tuple[str, str | None]] = {
    "missing": ("form_missing", None),
    "string_too_long": ("form_too_long", "max_length"),
    "too_long": ("form_too_many", "max_length"),
    "string_too_short": ("form_too_short", "min_length"),
    "greater_than_equal": ("form_at_least", "ge"),
    "less_than_equal": ("form_at_most", "le"),
    "greater_than": ("form_above", "gt"),
    "less_than": ("form_below", "lt"),
    "int_parsing": ("form_integer", None),
    "int_from_float": ("form_integer", None),
    "float_parsing": ("form_number", None),
    "decimal_parsing": ("form_number", None),
    "date_parsing": ("form_date", None),
    "date_from_datetime_parsing": ("form_date", None),
    "enum": ("form_choice", None),
    "literal_error": ("form_choice", None),
    "bool_parsing": ("form_yes_no", None),
}
GENERIC = {404: "refusal_not_found", 403: "refusal_forbidden", 409: "refusal_conflict"}


def said_in(refusal: EncoursError, language: str) -> str:
    """What the page shows: the sentence in ``language``, else (French) a generic one."""
    said = refusal.said_in(language)
    if said is not None:
        return said
    if language == "en":
        return refusal.message
    return text(GENERIC.get(refusal.status, "field_refused"), language)


def form_check(error: Mapping[str, Any]) -> InvalidInput:
    """One of FastAPI's form errors as a coded refusal of its field."""
    names = [part for part in error.get("loc", ()) if isinstance(part, str)]  # not a list's index
    field = names[-1] if names else None
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, EncoursError) and cause.code:  # a validator's own refusal (an amount)
        return InvalidInput.retold(cause, field=field)
    if "UploadFile" in str(error.get("msg")):  # a file field posted with no file chosen
        return InvalidInput.because("form_file", field=field)
    code, named = FORM_CHECKS.get(str(error.get("type")), ("form_refused", None))
    params: dict[str, Value] = {}
    if named is not None:
        params[named] = str((error.get("ctx") or {}).get(named, ""))
    return InvalidInput.because(code, field=field, **params)
