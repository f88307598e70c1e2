"""A customer's timeline in the reader's language.

Casework writes each line's title as an English sentence (the CLI and the API print it); a
French page names the kind and the event from the screen texts and rewrites the fixed part
of the title, keeping what people typed (a note, a dispute's reason, a task's title) as is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from encours.casework.timeline import TimelineItem
from encours.web.ui.i18n import day, number
from encours.web.ui.texts import TEXTS

ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
AMOUNT = re.compile(r"\b(\d+\.\d{2})\b")
Rewrite = str | Callable[[re.Match[str]], str]

FRENCH: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (
        re.compile(r"^(invoice|credit note|payment|debit note|adjustment) (?!plan )"),
        lambda m: f"{_word('tlk_' + m[1].replace(' ', '_'), 'fr').lower()} ",
    ),
    (re.compile(r", due (\S+) \(disputed in the accounts\)$"), r", échéance \1 (contestée en comptabilité)"),
    (re.compile(r" \(disputed in the accounts\)$"), " (contestée en comptabilité)"),
    (
        re.compile(r"^dispute on (\S+) (resolved|rejected): "),
        lambda m: f"contestation sur {m[1]} {'résolue' if m[2] == 'resolved' else 'rejetée'} : ",
    ),
    (re.compile(r"^dispute on (\S+): "), r"contestation sur \1 : "),
    (re.compile(r" \(owner ([^)]+)\)$"), r" (responsable \1)"),
    (
        re.compile(r"^promise to pay by (\S+) \(grace (\d+) days\)$"),
        r"promesse de payer au \1 (tolérance \2 jours)",
    ),
    (
        re.compile(r"^promise (kept|broken): (.*) received$"),
        lambda m: f"promesse {'tenue' if m[1] == 'kept' else 'non tenue'} : {m[2]} reçus",
    ),
    (
        re.compile(r"^Broken promise (\d+): (.*) due (\S+), (.*) received"),
        r"Promesse \1 non tenue : \2 au \3, \4 reçus",
    ),
    (re.compile(r"^payment plan in (\d+) instalments$"), r"échéancier en \1 échéances"),
    (re.compile(r"^payment plan (\w+)$"), lambda m: f"échéancier {_word('tle_' + m[1], 'fr').lower()}"),
    (
        re.compile(r"^instalment (\d+) due (\S+) (kept|broken)$"),
        lambda m: f"échéance {m[1]} du {m[2]} {'tenue' if m[3] == 'kept' else 'non tenue'}",
    ),
    (re.compile(r" for (\S+), due (\S+)$"), r" pour \1, échéance \2"),
    (re.compile(r", due (\S+)$"), r", échéance \1"),
    (re.compile(r" (done|cancelled)(: |$)"), lambda m: f" {_word('tle_' + m[1], 'fr').lower()}{m[2]}"),
    (re.compile(r"^on (\S+): "), r"sur \1 : "),
    (
        re.compile(r"^(collector|credit manager|sales rep)(:|$)"),
        lambda m: _word("tla_" + m[1].replace(" ", "_"), "fr") + (" :" if m[2] else ""),
    ),
    (
        re.compile(r"^(pause|credit hold|litigation|agency)( until (\S+))?"),
        lambda m: _word("tlh_" + m[1].replace(" ", "_"), "fr") + (f" jusqu'au {m[3]}" if m[2] else ""),
    ),
    (re.compile(r" released$"), " levée"),
)
DUNNING = re.compile(r"^(\w+)(?:: (.*))?$")


def _word(key: str, language: str) -> str:
    pair = TEXTS.get(key)
    return key.split("_", 1)[-1].replace("_", " ") if pair is None else pair[language == "en"]


def _day(match: re.Match[str]) -> str:
    try:
        return day(dt.date.fromisoformat(match[1]), "fr")
    except ValueError:
        return match[0]


def french_title(title: str) -> str:
    text = title
    for pattern, french in FRENCH:
        text = pattern.sub(french, text, count=1)
    text = AMOUNT.sub(lambda m: number(Decimal(m[1]), "fr", 2), text)
    return ISO_DAY.sub(_day, text)


def dunning_title(title: str, language: str) -> str:
    """ "sent: firm_reminder, email, invoices F1, F2" with the step and channel named."""
    match = DUNNING.match(title)
    if match is None or not match[2]:
        return title
    parts = []
    for part in match[2].split(", "):
        step = TEXTS.get("wl_stage_" + part) or TEXTS.get("tlc_" + part)
        parts.append(part if step is None else step[language == "en"])
    joined = ", ".join(parts)
    return joined if language == "en" else ISO_DAY.sub(_day, joined.replace("invoices ", "factures "))


def timeline_line(item: TimelineItem, language: str) -> tuple[str, str]:
    """(what happened, its detail): "Promesse · faite", "promesse de payer au 20/11/2026 …"."""
    event = f"tle_{item.kind}_{item.event}"  # a gendered word first ("Appel · planifié")
    said = _word(event if event in TEXTS else "tle_" + item.event, language)
    label = f"{_word('tlk_' + item.kind, language)} · {said}"
    if item.kind == "dunning":
        return label, dunning_title(item.title, language)
    return label, item.title if language == "en" else french_title(item.title)
