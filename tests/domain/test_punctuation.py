"""Punctuation spacing per language: French narrow no-break spaces, English none."""

from __future__ import annotations

from encours.domain.punctuation import NARROW, mark, percent, spaced


def test_french_puts_a_narrow_no_break_space_before_high_signs_and_inside_guillemets() -> None:
    said = spaced("Valeur refusée : vérifiez « ici » ; pourquoi ? 12 % !", "fr")
    n = NARROW
    assert said == f"Valeur refusée{n}: vérifiez «{n}ici{n}»{n}; pourquoi{n}? 12{n}%{n}!"


def test_french_leaves_signs_without_a_space_before_them_alone() -> None:
    assert spaced("https://exemple.fr/a?b=1 à 12:30", "fr") == "https://exemple.fr/a?b=1 à 12:30"


def test_english_is_left_as_written_and_marks_take_no_space() -> None:
    assert spaced("Refused: check ; this", "en") == "Refused: check ; this"
    assert mark(":", "en") == ":" and mark(":", "fr") == f"{NARROW}:"
    assert percent("12.5", "en") == "12.5%" and percent("12,5", "fr") == f"12,5{NARROW}%"
