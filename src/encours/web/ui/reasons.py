"""Why a delivery failed, in the reader's language.

Reasons are stored as the English sentence the CLI prints (``dunning.delivery``,
``dunning.channels.smtp.describe``); a French page rewrites their fixed part and keeps what
the SMTP server itself answered, which is the server's text, not ours.
"""

from __future__ import annotations

import re

from encours.domain.punctuation import spaced

FRENCH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^no e-mail address"), "pas d'adresse e-mail"),
    (re.compile(r"^no postal address"), "pas d'adresse postale"),
    (re.compile(r"^SMTP server refused the message:"), "le serveur SMTP a refusé le message :"),
    (re.compile(r"^SMTP server refused (\S+):"), r"le serveur SMTP a refusé \1 :"),
    (re.compile(r"^SMTP server( [^ ]+)? unreachable:"), r"serveur SMTP\1 injoignable :"),
    (re.compile(r"^SMTP error( [^ ]+)?:"), r"erreur SMTP\1 :"),
    (re.compile(r"\(task (\d+)\)$"), r"(tâche \1)"),
)


def localised_reason(reason: str | None, language: str) -> str:
    text = reason or ""
    if language != "fr":
        return text
    for pattern, french in FRENCH:
        text = pattern.sub(french, text)
    return spaced(text, language)
