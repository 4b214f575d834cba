"""ISTAT's ATECO 2007 sections and divisions, read once from data/ateco2007.tsv (source named in the file)."""

import functools
from dataclasses import dataclass
from pathlib import Path

from core.i18n import current_language

DATA_FILE = Path(__file__).resolve().parent / "data" / "ateco2007.tsv"


@dataclass(frozen=True)
class AtecoEntry:
    """A section (letter) or a division (two digits) with its Italian and English titles."""

    code: str
    section: str  # the section a division belongs to; a section's own letter for a section
    title_it: str
    title_en: str

    @property
    def is_section(self) -> bool:
        return self.code.isalpha()

    @property
    def title(self) -> str:
        """The title in the active language: Italian unless the interface is in English."""
        return self.title_en if current_language() == "en" else self.title_it

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"


@functools.cache
def entries() -> dict[str, AtecoEntry]:
    """Every section and division by code, in the file's order."""
    found: dict[str, AtecoEntry] = {}
    for line in DATA_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, section, title_it, title_en = line.split("\t")
        found[code] = AtecoEntry(code=code, section=section or code, title_it=title_it, title_en=title_en)
    return found


def sections() -> list[AtecoEntry]:
    return [entry for entry in entries().values() if entry.is_section]


def divisions() -> list[AtecoEntry]:
    return [entry for entry in entries().values() if not entry.is_section]


def section_of(division: str) -> str:
    """The section letter of a division code ("46" → "G"); "" for an unknown code."""
    entry = entries().get(division)
    return entry.section if entry is not None and not entry.is_section else ""


def section_choices() -> list[tuple[str, str]]:
    """Choices for a form or filter, titles in the active language (call at request time)."""
    return [(entry.code, str(entry)) for entry in sections()]


def division_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Divisions grouped by section, for a select with option groups."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for entry in divisions():
        grouped.setdefault(entry.section, []).append((entry.code, str(entry)))
    return [(str(entries()[section]), options) for section, options in grouped.items()]


def division_codes() -> frozenset[str]:
    return frozenset(entry.code for entry in divisions())
