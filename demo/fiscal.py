"""Fiscal codes built from python-codicefiscale's own encoders, memoised for bulk generation."""

import datetime
from functools import cache

from codicefiscale import codicefiscale


@cache
def _lastname_code(last_name: str) -> str:
    """The three surname letters (memoised: the demo uses ~150 surnames)."""
    return codicefiscale.encode_lastname(last_name)


@cache
def _firstname_code(first_name: str) -> str:
    """The three first-name letters (memoised: the demo uses ~200 names)."""
    return codicefiscale.encode_firstname(first_name)


def fiscal_code(*, last_name: str, first_name: str, sex: str, birth_date: datetime.date, belfiore: str) -> str:
    """The fiscal code `codicefiscale.encode()` returns for these data, about 1,000 times faster.

    `encode()` composes the same five encoders and then re-decodes the result, which parses the
    birthplace's whole history with dateutil (~6 ms a call: ten minutes for 100,000 persons).
    The birthplace code is taken as given: datasets.comuni() checks each one against the library.
    """
    birth = datetime.datetime(birth_date.year, birth_date.month, birth_date.day)
    code = (
        f"{_lastname_code(last_name)}{_firstname_code(first_name)}"
        f"{codicefiscale.encode_birthdate(birth, sex)}{belfiore}"
    )
    return code + codicefiscale.encode_cin(code)
