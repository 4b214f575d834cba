"""Fiscal code checks with python-codicefiscale: form, check character, omocodia, and consistency with the
birth date, sex and birth place the operator typed.

Names are not compared: double surnames, transliterations and old registry errors make the name letters of a
real fiscal code differ from the name as the person spells it, and the fiscal code the Agenzia delle Entrate
issued is the one to record.
"""

import datetime
import re
from functools import cache, lru_cache

from codicefiscale import codicefiscale
from django.utils.translation import gettext as _

_SHAPE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


def normalise_fiscal_code(text: str | None) -> str:
    """Upper case, no spaces or separators: what people type as 'rss mra 80a01 f205x' becomes a code."""
    return re.sub(r"[\s.\-_/]", "", text or "").upper()


@lru_cache(maxsize=2048)
def birth_place_code(place: str) -> str | None:
    """The cadastral code (Milano → F205, a country → Z…) of a comune or foreign country, or None if unknown."""
    place = (place or "").strip()
    if not place:
        return None
    if re.fullmatch(r"[A-Za-z]\d{3}", place):
        return place.upper()
    try:
        return codicefiscale.encode_birthplace(place) or None
    except ValueError:
        return None


# Omocodia: the Agenzia delle Entrate replaces digits of a code, from the right, by these letters (0 → L … 9 → V).
_OMOCODIC_DIGITS = str.maketrans("LMNPQRSTUV", "0123456789")
_MONTHS = "ABCDEHLMPRST"


@cache
def _place_periods(code: str) -> tuple[tuple[datetime.datetime | None, datetime.datetime | None, dict], ...]:
    """The comuni or countries a cadastral code named over time, with their validity as dates, oldest first.

    The periods come from python-codicefiscale's data (ISTAT and Agenzia delle Entrate sources, kept by the
    library); they are parsed once per code here instead of at every decode.
    """

    def parse(text: str) -> datetime.datetime | None:
        return codicefiscale._get_date(text) if text else None  # the library's own reading of its dates

    options = codicefiscale._get_data()["codes"].get(code) or []
    return tuple((parse(o["date_created"]), parse(o["date_deleted"]), o) for o in options)


def _place_on(code: str, born: datetime.datetime) -> dict | None:
    """The place `code` named on the day `born`, chosen as python-codicefiscale chooses it: the period that holds
    the date; failing that, a place whose period ends just before the next one begins (data sources leave gaps
    of a few days); failing that, the first place created after the date (codes assigned after a birth)."""
    periods = _place_periods(code)
    if not periods:
        return None
    for created, deleted, option in periods:
        if (created or datetime.datetime.min) <= born <= (deleted or datetime.datetime.max):
            return option
    for (created, deleted, option), (next_created, _d, next_option) in zip(periods, periods[1:], strict=False):
        if deleted and next_created and born >= deleted and deleted <= next_created:
            if created and deleted - created <= datetime.timedelta(days=1):
                return option
            return next_option
    for created, _deleted, option in periods:
        if created and born <= created:
            return option
    return None


def decode(fiscal_code: str) -> dict | None:
    """The sex, birth date and birth place a normalised fiscal code encodes, or None when it is not of the
    official form, names no date or place, or its check character is wrong.

    The answer is kept for the last codes asked (a registration checks its code, then reads its birth place: the
    same code two or three times in a row) and shared between callers: read it, never change it.
    """
    return _decoded(fiscal_code, datetime.date.today().year)


@lru_cache(maxsize=1024)
def _decoded(fiscal_code: str, this_year: int) -> dict | None:
    """decode(), in the year `this_year` (which decides the century of a two-digit year).

    The result agrees with python-codicefiscale's `decode()` on these three (people/tests/test_fiscal.py holds
    the two equal over thousands of codes), at a hundredth of its cost: the library parses every historical
    period of the birth place with dateutil at each call (1–5 ms), which a registry import of 100,000 rows
    cannot afford. Dates before the current century's year are read as this century's, then the last one's,
    as the library does.
    """
    if not _SHAPE.match(fiscal_code or ""):
        return None
    if codicefiscale.encode_cin(fiscal_code[:15]) != fiscal_code[15]:
        return None
    year = int(fiscal_code[6:8].translate(_OMOCODIC_DIGITS))
    month = _MONTHS.index(fiscal_code[8]) + 1
    day = int(fiscal_code[9:11].translate(_OMOCODIC_DIGITS))
    sex = "M"
    if day > 40:
        day, sex = day - 40, "F"
    place_code = fiscal_code[11] + fiscal_code[12:15].translate(_OMOCODIC_DIGITS)
    year += this_year - this_year % 100
    if year > this_year:
        year -= 100
    for candidate in (year, year - 100):
        try:
            born = datetime.datetime(candidate, month, day)
        except ValueError:
            continue
        place = _place_on(place_code, born)
        if place is not None:
            return {"code": fiscal_code, "gender": sex, "birthdate": born, "birthplace": dict(place)}
    return None


def fiscal_code_errors(
    fiscal_code: str,
    *,
    sex: str | None = None,
    birth_date: datetime.date | None = None,
    birth_place: str | None = None,
) -> dict[str, list[str]]:
    """Messages by form field; empty when the code is valid and agrees with the other data given.

    An omocodic code (digits replaced by letters by the Agenzia delle Entrate) is valid; its decoded
    birth date and place are compared, not its letters.
    """
    code = normalise_fiscal_code(fiscal_code)
    if len(code) != 16:
        return {"fiscal_code": [_("A fiscal code has 16 characters; this one has %(n)d.") % {"n": len(code)}]}
    if not _SHAPE.match(code):
        return {"fiscal_code": [_("This is not the form of a fiscal code (6 letters, 2 digits, a letter, …).")]}
    data = decode(code)
    if data is None:
        return {"fiscal_code": [_("The check character is wrong: the fiscal code has a typing error.")]}
    errors: dict[str, list[str]] = {}
    if sex and data["gender"] != sex:
        errors.setdefault("sex", []).append(_("The sex does not match the fiscal code."))
    if birth_date:
        coded = data["birthdate"].date()
        if (coded.month, coded.day, coded.year % 100) != (birth_date.month, birth_date.day, birth_date.year % 100):
            errors.setdefault("birth_date", []).append(
                _("The birth date does not match the fiscal code (which says %(date)s).")
                % {"date": coded.strftime("%d/%m/%y")}
            )
    if birth_place:
        place_code = birth_place_code(birth_place)
        coded_place = (data.get("birthplace") or {}).get("code")
        if place_code is None:
            errors.setdefault("birth_place", []).append(
                _("Unknown birth place: write the comune, or the country if born abroad.")
            )
        elif coded_place and place_code != coded_place:
            name = (data.get("birthplace") or {}).get("name") or coded_place
            errors.setdefault("birth_place", []).append(
                _("The birth place does not match the fiscal code (which says %(place)s).") % {"place": name}
            )
    return errors
