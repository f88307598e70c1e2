"""FEC importer (SPEC §3): the French statutory ledger export, in every variant found in practice."""

from __future__ import annotations

from encours.ingest import detect
from encours.ingest.fec.parser import parse_fec
from encours.ingest.registry import register

__all__ = ["parse_fec"]

register(detect.FEC, parse_fec)
