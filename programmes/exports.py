"""Exports of indicator tables as CSV and XLSX, with the same suppression as the page.

Cells go through imports.exports.safe_cell: text starting with = + - @ (or tab, carriage return) gets a leading
apostrophe, so no cell becomes a formula; the XLSX writes every cell as text.
"""

import io

from django.utils.translation import gettext as _

from imports.exports import safe_cell, write_csv
from programmes.indicators import PERIOD_RULES, REGISTRY


def _cell(value, figure) -> str:
    if figure.is_waiting:
        return _("waiting for: %(parts)s") % {"parts": ", ".join(figure.waiting_for)}
    if value is None:
        return _("suppressed (< 5)") if figure.suppressed else ""
    return value


def figure_rows(figures, *, scope_label: str) -> list[list]:
    """A header and one row per figure (and per breakdown cell), ready for write_csv / write_xlsx."""
    rows = [[_("indicator"), _("key"), _("breakdown"), _("numerator"), _("denominator"), _("value"), _("unit"),
             _("period rule"), _("scope")]]  # fmt: skip
    for figure in figures:
        definition = REGISTRY[figure.key]
        rows.append(
            [figure.title, figure.key, "", _cell(figure.numerator, figure), _cell(figure.denominator, figure),
             _cell(figure.value, figure), figure.unit, str(PERIOD_RULES[definition.period_rule]), scope_label]
        )  # fmt: skip
        for label, n in figure.rows:
            rows.append([figure.title, figure.key, label, _cell(n, figure), "", "", "count", "", scope_label])
    return rows


def as_csv(rows) -> bytes:
    return write_csv(rows)


def as_xlsx(rows) -> bytes:
    """A workbook with one sheet of text cells (never a formula)."""
    return as_xlsx_sheets([(_("indicators"), rows)])


def as_xlsx_sheets(sheets) -> bytes:
    """A workbook with one sheet per (title, rows), every cell text through safe_cell (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, rows in sheets:
        name = _sheet_name(str(title), used)
        sheet = workbook.create_sheet(name)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=safe_cell(value))
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    name = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()[:31] or "sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
