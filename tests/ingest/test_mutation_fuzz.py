"""Seeded mutation fuzzing of every importer: no input file makes `encours import` exit 1.

Every sample file of ../shared/samples (each format, read in place), the demo's canonical
CSV files and CDAR status messages about the demo's invoices are damaged in seeded ways (byte
flips, truncation, duplicated or deleted lines, huge or exponent amounts, years 9999 and 1900,
invisible characters in ids, a 200 kB field, other encodings, XML entity and nesting bombs)
and imported into a database that already holds a ledger. Each import must exit 0 or 2; after
a refusal (2) every stored table must be exactly as before. The seed is printed;
ENCOURS_FUZZ_SEED and ENCOURS_FUZZ_ROUNDS replay or widen a run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import inspect, text
from tests.conftest import SAMPLES
from tests.einvoicing.cdar_messages import status_xml
from typer.testing import CliRunner

from encours.cli.main import app
from encours.demo.csv_export import write_canonical_csv
from encours.demo.generator import generate
from encours.storage.database import get_engine

SEED = int(os.environ.get("ENCOURS_FUZZ_SEED", "20261201"))
ROUNDS = int(os.environ.get("ENCOURS_FUZZ_ROUNDS", "8"))  # mutations per sample file
FORMAT_FOLDERS = ("camt053", "camt054", "cfonb120", "cii", "facturx", "fec", "mt940", "ofx", "ubl")
_NUMBER = re.compile(rb"\d+[.,]\d{1,2}\b")
_DATE = re.compile(rb"(?:19|20)\d\d(?=-?\d\d-?\d\d)")
_WORD = re.compile(rb"[A-Za-z0-9]{2,}")


def sample_files() -> list[Path]:
    return sorted(
        path
        for folder in FORMAT_FOLDERS
        for path in (SAMPLES / folder).iterdir()
        if path.is_file() and path.name not in ("SOURCE.md", "README.md", "LICENSE")
    )


Mutation = Callable[[bytes, random.Random], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [data]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def duplicate_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    index = rng.randrange(len(lines))
    return b"".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])


def delete_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def _replace_match(pattern: re.Pattern[bytes], new: bytes) -> Mutation:
    def mutate(data: bytes, rng: random.Random) -> bytes:
        found = list(pattern.finditer(data))
        if not found:
            return flip_bytes(data, rng)
        match = rng.choice(found)
        return data[: match.start()] + new + data[match.end() :]

    return mutate


def invisible_in_id(data: bytes, rng: random.Random) -> bytes:
    found = list(_WORD.finditer(data))
    if not found:
        return data + "\u200b".encode()
    match = rng.choice(found)
    cut = rng.randint(match.start() + 1, match.end() - 1)
    return data[:cut] + rng.choice(["\u200b", "\ufeff", "\u200e", "\u202e", "\x00"]).encode() + data[cut:]


def huge_field(data: bytes, rng: random.Random) -> bytes:
    found = list(_WORD.finditer(data)) or [re.match(rb"", data)]
    match = rng.choice(found)
    assert match is not None
    return data[: match.end()] + b"A" * 200_000 + data[match.end() :]


def other_encoding(data: bytes, rng: random.Random) -> bytes:
    text_ = data.decode("utf-8", errors="replace")
    choice = rng.choice(["utf-16", "utf-32", "cp1252-mojibake", "latin1-as-utf8"])
    if choice == "cp1252-mojibake":
        return text_.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    if choice == "latin1-as-utf8":
        return data.decode("latin-1").encode("utf-8")
    return text_.encode(choice)


_BOMB = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>'
)


def xml_bomb(data: bytes, rng: random.Random) -> bytes:
    """Billion laughs plus an external entity, or a nesting far beyond any statement's depth."""
    declaration = re.match(rb"\s*<\?xml[^>]*\?>", data)
    head = declaration.end() if declaration else 0
    if rng.random() < 0.5:
        body = data[head:]
        tag = re.search(rb"<([A-Za-z][\w:.-]*)[\s>]", body)
        if tag is not None:  # the first element's text takes the entities
            end = body.index(b">", tag.start()) + 1
            body = body[:end] + b"&lol4;&xxe;" + body[end:]
        return data[:head] + _BOMB + body
    found = list(re.finditer(rb">", data[head:]))
    cut = head + (rng.choice(found).end() if found else 0)
    depth = rng.choice([300, 5_000, 100_000])
    return data[:cut] + b"<a>" * depth + b"</a>" * depth + data[cut:]


MUTATIONS: dict[str, Mutation] = {
    "flip": flip_bytes,
    "truncate": truncate,
    "duplicate-line": duplicate_line,
    "delete-line": delete_line,
    "huge-number": _replace_match(_NUMBER, b"99999999999999999999.99"),
    "exponent": _replace_match(_NUMBER, b"1e400"),
    "exponent-15": _replace_match(_NUMBER, b"1E15"),
    "year-9999": _replace_match(_DATE, b"9999"),
    "year-1900": _replace_match(_DATE, b"1900"),
    "invisible-id": invisible_in_id,
    "200kB-field": huge_field,
    "encoding": other_encoding,
    "xml-bomb": xml_bomb,
}


class Case(NamedTuple):
    sample: str
    mutation: str
    round: int


def ledger_checksum(url: str) -> str:
    """A digest of every row of every table (audit trail, batches and all), in a fixed order."""
    engine = get_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            digest.update(table.encode())
            for row in sorted(repr(tuple(r)) for r in connection.execute(text(f'SELECT * FROM "{table}"'))):
                digest.update(row.encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def loaded_ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Path]]:
    """A database holding the demo's ledger, its CSV files and CDAR statuses of its invoices."""
    folder = tmp_path_factory.mktemp("fuzz-ledger")
    ledger = generate(seed=11, customers=12, until=dt.date(2026, 10, 31))
    csv_files = write_canonical_csv(ledger, folder)
    url = f"sqlite:///{folder / 'ledger.db'}"
    result = CliRunner().invoke(app, ["import", *map(str, csv_files), "--db", url])
    assert result.exit_code == 0, result.output
    invoice = next(entry for entry in ledger.entries if entry.key.startswith("doc:"))
    issued = invoice.date.strftime("%Y%m%d")
    cdar_files = []
    for code, extra in ((207, {"reason": "Quantités"}), (211, {"amount": "120.00"})):
        path = folder / f"cdar-{code}.xml"
        path.write_text(status_xml(invoice.reference, code, issued=issued, **extra), encoding="utf-8")
        cdar_files.append(path)
    return url, csv_files + cdar_files


def test_no_mutated_file_makes_import_fail_or_store_after_a_refusal(
    loaded_ledger: tuple[str, list[Path]], tmp_path: Path
) -> None:
    url, csv_files = loaded_ledger
    samples = [*sample_files(), *csv_files]
    print(f"mutation fuzz: seed {SEED}, {ROUNDS} mutations of each of {len(samples)} files")
    rng = random.Random(SEED)
    runner = CliRunner()
    failures: list[str] = []
    exits = {0: 0, 2: 0}
    for sample in samples:
        original = sample.read_bytes()
        is_xml = original.lstrip().startswith(b"<")
        names = [name for name in MUTATIONS if is_xml or name != "xml-bomb"]
        for round_ in range(ROUNDS):
            name = names[(round_ + rng.randrange(len(names))) % len(names)]
            case = Case(str(sample.relative_to(sample.parents[1])), name, round_)
            mutated = MUTATIONS[name](original, rng)
            path = tmp_path / f"{round_}-{sample.name}"
            path.write_bytes(mutated)
            before = ledger_checksum(url)
            result = runner.invoke(app, ["import", str(path), "--db", url])
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                trace = "".join(traceback.format_exception(result.exception)).splitlines()[-6:]
                failures.append(f"{case}: exception\n  " + "\n  ".join(trace))
            elif result.exit_code not in exits:
                failures.append(f"{case}: exit {result.exit_code}: {result.output[-300:]}")
            else:
                exits[result.exit_code] += 1
                if result.exit_code == 2 and ledger_checksum(url) != before:
                    failures.append(f"{case}: refused (exit 2) but the stored tables changed")
            path.unlink()
    print(f"mutation fuzz: {exits[0]} imported, {exits[2]} refused")
    assert not failures, f"seed {SEED}: {len(failures)} failures\n" + "\n".join(failures[:25])
    assert exits[2] > 0  # the mutations do reach the importers' checks
