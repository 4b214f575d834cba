"""The events layout (eventi del programma): hospitalisations for psychic decompensation and drop-outs.

A row names its person as in the cases layout and, optionally, the path it concerns by the path's old id.
docs/import.md documents it; imports/event_rows.py compares the rows with Ponte and writes them through
paths.services.
"""

from django.utils.translation import gettext as _

from imports import cells
from imports.layouts.cases import _PERSON, CaseContext, CaseRow, _coded, _not_future, _read_all, read_cell
from imports.layouts.common import Column, choice_table
from paths.choices import EventKind

KIND_VALUES = "hospitalisation, drop_out (ricovero, abbandono)"
EVENT_COLUMNS: tuple[Column, ...] = (
    *(Column(c.name, c.kind, c.required, c.aliases, c.values, "E-12" if c.name == "source_id" else c.example)
      for c in _PERSON),
    Column("path_source_id", "text", False, ("id_origine_percorso", "id_percorso"), "", "P-77"),
    Column("kind", "event_kind", True, ("tipo", "evento", "tipo_evento"), KIND_VALUES, "ricovero"),
    Column("occurred_on", "date", True, ("data", "data_evento", "data_ricovero"), "", "12/02/2017"),
    Column("ended_on", "date", False, ("data_dimissione", "dimissione", "dimesso_il"), "", "03/03/2017"),
    Column("note", "long_text", False, ("nota", "note"), "", ""),
)  # fmt: skip
KIND_ALIASES = {
    "ricovero": "hospitalisation", "ricoveroperscompenso": "hospitalisation", "scompenso": "hospitalisation",
    "ricoveroperscompensopsichico": "hospitalisation", "ricoverospdc": "hospitalisation", "tso": "hospitalisation",
    "abbandono": "drop_out", "dropout": "drop_out", "abbandonodelprogramma": "drop_out",
}  # fmt: skip
_TABLE: dict[str, str] = {}


def read_event_cell(ctx: CaseContext, column: Column, raw):
    """The value of a cell of the events layout, None when empty; CellError when it cannot be read."""
    if column.kind == "event_kind":
        if not _TABLE:
            _TABLE.update(choice_table(EventKind, KIND_ALIASES))
        return _coded(raw, _TABLE, column.values)
    if column.name == "path_source_id":
        return cells.text(raw, max_length=64)
    return read_cell(ctx, column, raw)


def parse_event_row(ctx: CaseContext, line: int, cells_by_name: dict) -> CaseRow:
    """Read a row of the events layout and check it on its own."""
    row = CaseRow(line=line)
    read = _read_all(ctx, row, EVENT_COLUMNS, cells_by_name, reader=read_event_cell)
    _not_future(ctx, row, read, "occurred_on", "ended_on")
    if read.get("ended_on") and read.get("kind") == EventKind.DROP_OUT:
        row.error("ended_on", _("Only a hospitalisation has a discharge date: empty this cell."))
    if read.get("ended_on") and read.get("occurred_on") and read["ended_on"] < read["occurred_on"]:
        row.error("ended_on", _("The discharge is before the admission: check both dates."))
    values = {name: read[name] for name in read if read[name] not in (None, "")}
    values.pop("source_system", None), values.pop("source_id", None)
    row.values = values
    return row
