"""The assessments layout (valutazioni completate): one completed assessment a row, its answers in one cell.

A row names its person as in the cases layout, the instrument by its code and version, and gives its answers as
`item=value` pairs separated by `;` (a multiple choice as `item=a|b`); an answer of a repeating group is written
`group.row.item=value`, the rows numbered from 1 (`wh_jobs.1.job_role=Magazziniere`). A text answer may hold `;` and
line breaks: a new pair starts only where a `;` or a line break is followed by a name and `=`. docs/import.md
documents it; imports/assessment_rows.py checks the answers against the instrument and writes them through
assessments.services.
"""

import re

from django.utils.translation import gettext as _

from imports import cells
from imports.cells import CellError
from imports.layouts.cases import _PERSON, CaseContext, CaseRow, _not_future, _read_all, read_cell
from imports.layouts.common import Column

ASSESSMENT_COLUMNS: tuple[Column, ...] = (
    *(Column(c.name, c.kind, c.required, c.aliases, c.values, "V-8" if c.name == "source_id" else c.example)
      for c in _PERSON),
    Column("instrument", "text", True, ("strumento", "codice_strumento"), "employability, skills_balance, …",
           "employability"),
    Column("instrument_version", "version", True, ("versione", "versione_strumento"), "1, 2, …", "1"),
    Column("assessed_on", "date", True, ("data", "data_valutazione", "valutato_il"), "", "15/03/2018"),
    Column("answers", "answers", True, ("risposte",),
           "item=value; item=value (item=a|b for several; group.1.item=value for row 1 of a repeating group)",
           "wh_experience=3; wh_recent=2; wh_jobs.1.job_role=Magazziniere"),
)  # fmt: skip


# Where a new answer starts: a `;` or a line break followed by a name (no blanks, `;` or `=` in it) and `=`.
_NEXT_ANSWER = re.compile(r"[;\n](?=\s*[^\s;=]+\s*=)")


def answers_cell(raw) -> dict[str, str]:
    """`item=value; item=value` as a dict of the texts written; CellError when a pair cannot be read.

    Values are read against the instrument later (imports.assessment_rows): `a|b` of a multiple choice, a date,
    `group.row.item` of a repeating group. A `;` or line break not followed by `name=` belongs to the text answer
    before it.
    """
    text = cells.text(raw, multiline=True)
    if text is None:
        return {}
    answers: dict[str, str] = {}
    for part in _NEXT_ANSWER.split(text):
        part = part.strip(" \t\n;")
        if not part:
            continue
        item, sep, value = part.partition("=")
        item, value = item.strip(), value.strip()
        if not sep or not item:
            raise CellError(_("“%(part)s”: write each answer as item=value, separated by ;.") % {"part": part})
        if item in answers:
            raise CellError(_("The item %(item)s is answered twice: keep one.") % {"item": item})
        answers[item] = value
    return answers


def read_assessment_cell(ctx: CaseContext, column: Column, raw):
    """The value of a cell of the assessments layout, None when empty; CellError when it cannot be read."""
    if column.kind == "version":
        return cells.whole_number(raw, minimum=1, maximum=999)
    if column.kind == "answers":
        return answers_cell(raw) or None
    if column.name == "instrument":
        value = cells.text(raw, max_length=63)
        return value.lower() if value else None
    return read_cell(ctx, column, raw)


def parse_assessment_row(ctx: CaseContext, line: int, cells_by_name: dict) -> CaseRow:
    """Read a row of the assessments layout and check it on its own."""
    row = CaseRow(line=line)
    read = _read_all(ctx, row, ASSESSMENT_COLUMNS, cells_by_name, reader=read_assessment_cell)
    _not_future(ctx, row, read, "assessed_on")
    values = {name: read[name] for name in read if read[name] not in (None, "")}
    values.pop("source_system", None), values.pop("source_id", None)
    row.values = values
    return row
