"""Exports that drop the empty fields at the end of a line still import, the same way."""

from pathlib import Path

from tests.conftest import SAMPLES, invoke
from typer.testing import CliRunner

SAMPLE = SAMPLES / "fec" / "0000000001FEC20220831.txt"


def test_lines_without_their_empty_trailing_fields_give_the_same_ledger(
    cli: CliRunner, tmp_path: Path
) -> None:
    text = SAMPLE.read_bytes().decode("utf-8-sig")
    header, *lines = text.split("\n")
    short = tmp_path / "short.txt"
    short.write_text("\n".join([header, *(line.rstrip("\t") for line in lines)]), encoding="utf-8")
    assert any(line.count("\t") < header.count("\t") for line in short.read_text().split("\n")[1:] if line)
    outputs = []
    for name, path in (("full", SAMPLE), ("short", short)):
        url = f"sqlite:///{tmp_path / name}.db"
        code, _, err = invoke(cli, "import", str(path), "--db", url)
        assert code == 0, err
        outputs.append(invoke(cli, "aging", "--as-of", "2022-08-31", "--format", "csv", "--db", url)[1])
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) > 1


def test_a_line_missing_a_column_that_is_read_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    header, first, *_ = SAMPLE.read_bytes().decode("utf-8-sig").split("\n")
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join([header, "\t".join(first.split("\t")[:10])]) + "\n", encoding="utf-8")
    code, _, err = invoke(cli, "import", str(cut), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 2 and f"{cut}:2" in err and "10 fields, header has 18" in err
