"""Words of refusals that carry no sentence of their own (web.ui.refusals): a kind, said plainly."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "refusal_not_found": (
        "Introuvable : ce client, cette pièce ou cette page n'existe pas (ou plus).",
        "Not found: this customer, document or page does not exist (any more).",
    ),
    "refusal_forbidden": ("Votre rôle ne permet pas cette action.", "Your role may not do this."),
    "refusal_conflict": (
        "Impossible : l'état de cet élément a changé entre-temps ; rechargez la page.",
        "Not possible: this item changed meanwhile; reload the page.",
    ),
}
