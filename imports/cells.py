"""Reading one cell of a legacy file: the spellings people actually type, and a message that says how to fix it.

Every cleaner takes what the reader gives (a string from a CSV, or a string, number, date or datetime from an
XLSX) and returns a Python value, or None for an empty cell, or raises CellError.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# What an export puts before a cell that a spreadsheet would run as a formula; reading strips it again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CellError(ValueError):
    """A cell that cannot be read; the message says what to write instead."""


def fold(text) -> str:
    """Lower case, no accents, letters and digits only: 'Sì ', 'si' and 'SI' fold alike."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch)).lower()


def text(value, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """Trimmed text; control characters dropped; an export's protective apostrophe removed."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value)
    if value.startswith("'") and value[1:2] in FORMULA_STARTS and value[1:2]:
        value = value[1:]
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = _CONTROL.sub("", value)
    else:
        value = _CONTROL.sub("", value.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    value = value.strip()
    if not value:
        return None
    if max_length and len(value) > max_length:
        raise CellError(
            _("Too long: at most %(max)d characters, this cell has %(n)d. Shorten it.")
            % {"max": max_length, "n": len(value)}
        )
    return value


_DATE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2,4})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def date(value) -> datetime.date | None:
    """dd/mm/yyyy (also with - or .), or yyyy-mm-dd, or a date cell of a spreadsheet."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(_("A number where a date was expected: write the date as dd/mm/yyyy, for example 25/03/1980."))
    raw = text(value)
    if raw is None:
        return None
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE.match(raw):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) != 4:
            raise CellError(
                _("“%(value)s”: write the year with four digits (dd/mm/yyyy), for example 25/03/1980.") % {"value": raw}
            )
    else:
        raise CellError(
            _("“%(value)s” is not a date: write it as dd/mm/yyyy, for example 25/03/1980.") % {"value": raw}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a day of the calendar: check day and month (dd/mm/yyyy).") % {"value": raw}
        ) from None


YES = frozenset({"si", "s", "yes", "y", "x", "1", "vero", "true", "v"})
NO = frozenset({"no", "n", "0", "falso", "false", "f"})


def yes_no(value) -> bool | None:
    """sì, si, s, x, 1, yes, vero → yes; no, n, 0, falso → no; empty → not known."""
    if isinstance(value, bool):
        return value
    raw = text(value)
    if raw is None:
        return None
    if raw in ("✓", "✔"):
        return True
    folded = fold(raw)
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise CellError(_("“%(value)s”: write sì or no (x also means yes).") % {"value": raw})


def whole_number(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """An integer, written with a decimal comma or point or a % sign if need be: '67', '67,0', '67 %'."""
    if isinstance(value, bool):
        raise CellError(_("Write a whole number."))
    if isinstance(value, int | float):
        number = Decimal(str(value))
        raw = str(value)
    else:
        raw = text(value)
        if raw is None:
            return None
        cleaned = raw.replace("%", "").replace(" ", "").replace("\u00a0", "")
        if "," in cleaned and "." in cleaned:
            cleaned = cleaned.replace(".", "")  # 1.234,0: the point groups thousands
        cleaned = cleaned.replace(",", ".")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(
                _("“%(value)s” is not a number: write digits only, for example 67.") % {"value": raw}
            ) from None
    if number != number.to_integral_value():
        raise CellError(_("“%(value)s”: write a whole number, without decimals.") % {"value": raw})
    number = int(number)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise CellError(
            _("%(value)s is out of range: write a number from %(min)d to %(max)d.")
            % {"value": number, "min": minimum, "max": maximum}
        )
    return number


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}


def municipio(value) -> int | None:
    """A Milan municipio: 3, 'Municipio 3', 'M3' or 'Municipio III'."""
    raw = text(value)
    if raw is None:
        return None
    folded = fold(raw)
    folded = folded.removeprefix("municipio").removeprefix("mun").removeprefix("m")
    number = int(folded) if folded.isdigit() else _ROMAN.get(folded)
    if number is None or not 1 <= number <= 9:
        raise CellError(_("“%(value)s” is not a Milan municipio: write a number from 1 to 9.") % {"value": raw})
    return number


def email(value) -> str | None:
    raw = text(value, max_length=254)
    if raw is None:
        return None
    try:
        validate_email(raw)
    except ValidationError:
        raise CellError(
            _("“%(value)s” is not an e-mail address: write it as name@example.it.") % {"value": raw}
        ) from None
    return raw
