"""Physical lines as a user counts them, whatever the line ends."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from encours.ingest.textfile import Line, _mixed_lines, physical_lines


def test_every_line_end_counts_once() -> None:
    text = "a\r\nb\rc\nd\r\r\ne"
    assert [line.text for line in physical_lines(text)] == ["a", "b", "c", "d", "e"]
    assert [line.number for line in physical_lines(text)] == [1, 2, 3, 4, 5]


def test_a_final_line_end_adds_no_line_but_blank_lines_count() -> None:
    assert list(physical_lines("a\n\nb\n")) == [Line(1, "a"), Line(2, ""), Line(3, "b")]
    assert list(physical_lines("a\r\n\r\nb\r\n")) == [Line(1, "a"), Line(2, ""), Line(3, "b")]
    assert list(physical_lines("")) == []


@given(st.text(alphabet="ab\r\n\t", max_size=40))
def test_split_fast_path_matches_the_line_end_pattern(text: str) -> None:
    assert list(physical_lines(text)) == list(_mixed_lines(text))
