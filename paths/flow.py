"""The activity file for Lombardy's psychiatric activity flow ("flusso 46/SAN"), as a configurable mapping.

The official record layout is not public, so the file follows a documented layout (docs/paths.md): an ordered
list of columns, each with the field it takes, whether it is required, its longest length and, optionally, the
pattern a value must match. Settings may replace it (`PONTE_ACTIVITY_FLOW_LAYOUT`). Every row is checked against
the layout before the file is written: an invalid row stops the export with its line and column.
"""

import csv
import hashlib
import hmac
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Column:
    name: str
    source: str
    required: bool = True
    max_length: int = 50
    pattern: str = ""


DEFAULT_LAYOUT = (
    Column("COD_PROGRAMMA", "programme_code", max_length=20, pattern=r"[A-Z0-9]+"),
    Column("COD_STRUTTURA", "organisation_code", max_length=16),
    Column("COD_PSEUDONIMO", "person_code", required=False, max_length=16, pattern=r"[0-9a-f]{16}"),
    Column("RICONDUCIBILE", "attributable", max_length=1, pattern=r"[SN]"),
    Column("DATA", "date", max_length=10, pattern=r"\d{4}-\d{2}-\d{2}"),
    Column("TIPO_PRESTAZIONE", "kind", max_length=20),
    Column("DURATA_MIN", "minutes", max_length=3, pattern=r"\d{1,3}"),
    Column("PROFILO_OPERATORE", "profession", max_length=20),
)


def layout() -> tuple[Column, ...]:
    configured = getattr(settings, "PONTE_ACTIVITY_FLOW_LAYOUT", None)
    return tuple(Column(**column) for column in configured) if configured else DEFAULT_LAYOUT


def person_code(person_id: int) -> str:
    """A stable pseudonym of the person: the region sees the same code for the same person, never who it is."""
    key = getattr(settings, "PONTE_PSEUDONYM_KEY", "") or settings.SECRET_KEY
    return hmac.new(key.encode(), f"person:{person_id}".encode(), hashlib.sha256).hexdigest()[:16]


def record_of(activity) -> dict[str, str]:
    """The fields a layout may take from one activity."""
    return {
        "programme_code": activity.programme_code,
        "organisation_code": activity.organisation.tax_code or str(activity.organisation_id),
        "person_code": person_code(activity.person_id) if activity.person_id else "",
        "attributable": "S" if activity.person_id else "N",
        "date": activity.performed_on.isoformat(),
        "kind": activity.kind,
        "minutes": str(activity.minutes),
        "profession": activity.profession,
        "operator": str(activity.operator_id),
    }


def row_errors(row: dict[str, str], columns=None) -> list[str]:
    """What in one row breaks the layout, as messages naming the column."""
    errors = []
    for column in columns or layout():
        value = row.get(column.source, "")
        if not value:
            if column.required:
                errors.append(_("%(column)s is required.") % {"column": column.name})
            continue
        if len(value) > column.max_length:
            errors.append(
                _("%(column)s is longer than %(max)s characters.") % {"column": column.name, "max": column.max_length}
            )
        if column.pattern and not re.fullmatch(column.pattern, value):
            errors.append(_("%(column)s has an invalid value: %(value)s.") % {"column": column.name, "value": value})
    return errors


def write_file(activities) -> str:
    """The CSV text of the activities, after checking every row; ValidationError lists the bad rows."""
    columns = layout()
    rows = [record_of(activity) for activity in activities]
    problems = []
    for line, row in enumerate(rows, start=2):
        problems += [
            _("Line %(line)s: %(error)s") % {"line": line, "error": error} for error in row_errors(row, columns)
        ]
    if problems:
        raise ValidationError(problems[:50])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    for row in rows:
        writer.writerow([row.get(column.source, "") for column in columns])
    return out.getvalue()
