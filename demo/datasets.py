"""The name lists and comuni shipped in demo/data/, loaded once per process."""

import csv
import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from codicefiscale import codicefiscale

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Comune:
    """A real comune with its cadastral (Belfiore) code, as used in fiscal codes."""

    name: str
    belfiore: str
    province: str
    birth_weight: int
    residence_of: str


def _lines(name: str) -> tuple[str, ...]:
    """The non-empty lines of a data file, without duplicates, in file order."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


@cache
def surnames() -> tuple[str, ...]:
    """Common Italian surnames."""
    return _lines("surnames.txt")


@cache
def first_names(sex: str) -> tuple[str, ...]:
    """Common Italian first names for sex "F" or "M"."""
    return _lines(f"first_names_{sex.lower()}.txt")


@cache
def comuni() -> tuple[Comune, ...]:
    """The comuni of comuni.csv, each Belfiore code checked against python-codicefiscale's data."""
    with (DATA_DIR / "comuni.csv").open(encoding="utf-8", newline="") as handle:
        rows = [
            Comune(r["name"], r["belfiore"], r["province"], int(r["birth_weight"]), r["residence_of"])
            for r in csv.DictReader(handle)
        ]
    for row in rows:
        # A wrong code would make every fiscal code born there invalid: fail loudly at load time.
        found = codicefiscale.encode_birthplace(row.name, datetime.datetime(1990, 1, 1))
        if found != row.belfiore:
            raise ValueError(f"comuni.csv: {row.name} has code {row.belfiore}, python-codicefiscale says {found}")
    return tuple(rows)
