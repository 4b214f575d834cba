"""The activities layout (prestazioni): the operators' activities of the old registers, attributed to a person or
not attributable to a single patient (the programme's 20% ceiling, docs/paths.md).

A row names its operator by username, its person (if any) as in the cases layout and, optionally, the path it
concerns by the path's old id. docs/import.md documents it; imports/activity_rows.py compares the rows with Ponte
and writes them through paths.services.activity_record (ADR 0026).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _

from imports import cells
from imports.cells import fold
from imports.layouts.cases import _PERSON, CaseContext, CaseRow, _coded, _not_future, _read_all, read_cell
from imports.layouts.common import Column, choice_table
from paths.choices import ActivityKind, Profession
from paths.models import Activity
from paths.services import profession_code

KIND_VALUES = (
    "interview, coaching, company_visit, group_session, network_meeting, staff_training (colloquio, tutoraggio, "
    "visita in azienda, gruppo, riunione di rete, formazione operatori)"
)
PROFESSION_VALUES = (
    "psychiatrist, psychologist, nurse, educator, terp, social_worker, job_coach, other (psichiatra, psicologo, "
    "infermiere, educatore, tecnico della riabilitazione, assistente sociale, job coach, altro)"
)
# The bounds of Activity.minutes, as its validators state them.
MINUTES = tuple(
    v.limit_value
    for v in Activity._meta.get_field("minutes").validators
    if isinstance(v, MinValueValidator | MaxValueValidator)
)
ACTIVITY_COLUMNS: tuple[Column, ...] = (
    *(Column(c.name, c.kind, c.required, c.aliases, c.values, "A-301" if c.name == "source_id" else c.example)
      for c in _PERSON),
    Column("path_source_id", "text", False, ("id_origine_percorso", "id_percorso"), "", "P-77"),
    Column("operator", "user", True, ("operatore", "username_operatore", "utente"), "", "m.bianchi"),
    Column("performed_on", "date", True, ("data", "data_prestazione", "data_attivita"), "", "14/03/2019"),
    Column("minutes", "minutes", True, ("minuti", "durata", "durata_minuti"), f"{MINUTES[0]} to {MINUTES[1]}", "45"),
    Column("kind", "activity_kind", True, ("tipo", "tipo_prestazione", "prestazione"), KIND_VALUES, "colloquio"),
    Column("profession", "profession", False, ("professione", "qualifica"), PROFESSION_VALUES, "educatore"),
    Column("programme_code", "programme_code", False, ("codice_programma", "programma"), "", "TR106"),
    Column("note", "note", False, ("nota", "note"), "", ""),
)  # fmt: skip
KIND_ALIASES = {
    "colloquio": "interview", "colloquioindividuale": "interview", "tutoraggio": "coaching",
    "visitainazienda": "company_visit", "visitaazienda": "company_visit", "sopralluogo": "company_visit",
    "gruppo": "group_session", "attivitadigruppo": "group_session", "incontrodigruppo": "group_session",
    "riunionedirete": "network_meeting", "incontrodirete": "network_meeting", "riunione": "network_meeting",
    "formazioneoperatori": "staff_training", "formazione": "staff_training",
}  # fmt: skip
_TABLES: dict[str, dict[str, str]] = {}


def read_activity_cell(ctx: CaseContext, column: Column, raw):
    """The value of a cell of the activities layout, None when empty; CellError when it cannot be read.

    A profession is a code or its label, or a title the regional flow's mapping knows (paths.services.
    profession_code: "educatrice", "tecnico della riabilitazione"…)."""
    if column.kind in ("activity_kind", "profession"):
        if not _TABLES:
            _TABLES["activity_kind"] = choice_table(ActivityKind, KIND_ALIASES)
            _TABLES["profession"] = choice_table(Profession, {})
        value = cells.text(raw)
        if value and column.kind == "profession" and fold(value) not in _TABLES["profession"]:
            code = profession_code(value)
            if code != Profession.OTHER:
                return code
        return _coded(raw, _TABLES[column.kind], column.values)
    if column.kind == "minutes":
        return cells.whole_number(raw, minimum=MINUTES[0], maximum=MINUTES[1])
    if column.kind == "programme_code":
        value = cells.text(raw, max_length=20)
        return value.upper() if value else None
    if column.kind == "note":
        return cells.text(raw, max_length=300)
    if column.name == "path_source_id":
        return cells.text(raw, max_length=64)
    return read_cell(ctx, column, raw)


def parse_activity_row(ctx: CaseContext, line: int, cells_by_name: dict) -> CaseRow:
    """Read a row of the activities layout and check it on its own; a row naming no person is not attributable."""
    row = CaseRow(line=line)
    read = _read_all(ctx, row, ACTIVITY_COLUMNS, cells_by_name, reader=read_activity_cell, person_required=False)
    _not_future(ctx, row, read, "performed_on")
    if read.get("path_source_id") and not (read.get("person_source_id") or read.get("fiscal_code")):
        row.error("path_source_id", _("An activity on a path is the person's: name the person too."))
    values = {name: read[name] for name in read if read[name] not in (None, "")}
    values.pop("source_system", None), values.pop("source_id", None)
    row.values = values
    return row
