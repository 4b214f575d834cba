"""Fiscal code checks with python-codicefiscale: form, check character, omocodia, and consistency with the
birth date, sex and birth place the operator typed.

Names are not compared: double surnames, transliterations and old registry errors make the name letters of a
real fiscal code differ from the name as the person spells it, and the fiscal code the Agenzia delle Entrate
issued is the one to record.
"""

import datetime
import re
from functools import lru_cache

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


def decode(fiscal_code: str) -> dict | None:
    """python-codicefiscale's decoding, or None when the code is malformed or its check character is wrong."""
    try:
        return codicefiscale.decode(fiscal_code)
    except ValueError:
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
