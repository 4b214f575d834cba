"""What every layout shares: columns, parsed rows, fingerprints (defined with the persons layout, the first one),
reading a header row, and tables of coded values."""

from django.utils.translation import override

from imports import cells
from imports.cells import fold
from imports.layouts.persons import Column, ParsedRow, fingerprint

__all__ = ["Column", "ParsedRow", "RowByRow", "choice_table", "fingerprint", "header_map"]


class RowByRow(Exception):
    """Raised by a layout's batch commit when a row of the batch cannot go with the others (a service refused it,
    or it depends on another row of the batch): the batch is rolled back and written again row by row, so that
    each row is all or nothing and has its own message."""


def choice_table(choices, aliases: dict[str, str]) -> dict[str, str]:
    """Folded code, label (English and Italian) and alias → code."""
    table = {}
    for code, label in choices.choices:
        table[fold(code)] = code
        for language in ("en", "it"):
            with override(language):
                table[fold(str(label))] = code
    table.update(aliases)
    return table


def header_map(columns, header: list) -> tuple[dict[int, str], list[str], list[str]]:
    """Column index → layout name; and the unknown and duplicated headers."""
    lookup = {}
    for column in columns:
        lookup[fold(column.name)] = column.name
        for alias in column.aliases:
            lookup.setdefault(fold(alias), column.name)
    mapping: dict[int, str] = {}
    unknown, duplicated = [], []
    for index, cell in enumerate(header):
        label = cells.text(cell) or ""
        if not label:
            continue
        name = lookup.get(fold(label.lstrip("\ufeff")))
        if name is None:
            unknown.append(label)
        elif name in mapping.values():
            duplicated.append(label)
        else:
            mapping[index] = name
    return mapping, unknown, duplicated
