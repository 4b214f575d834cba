"""The opportunities layout (the catalogue of courses, internships, jobs, Law 68 positions, volunteering).

An opportunity is published by the importer's organisation, at an employer named as the employers layout names it.
docs/import.md documents it; imports/opportunity_rows.py compares the rows with Ponte and writes them through
opportunities.services (opportunity_create, opportunity_update).
"""

import re

from django.utils.translation import gettext as _

from imports import cells
from imports.cells import CellError, fold
from imports.layouts.cases import _coded
from imports.layouts.common import Column, choice_table
from imports.layouts.employers import EmployerContext, EmployerRow

KIND_VALUES = "course, internship, job, law68, volunteering (corso, tirocinio, lavoro, posto L68, volontariato)"
STATUS_VALUES = "draft, open, suspended, closed (bozza, aperta, sospesa, chiusa)"
CONTRACT_VALUES = (
    "permanent, fixed_term, apprenticeship, internship, none, other (tempo indeterminato, tempo determinato, "
    "apprendistato, tirocinio, nessuno, altro)"
)
OPPORTUNITY_COLUMNS: tuple[Column, ...] = (
    Column("source_system", "text", True, ("sistema_origine", "sistema", "origine"), "", "INTEGRALAVORO"),
    Column("source_id", "text", True, ("id_origine", "id", "codice_origine"), "", "OP-55"),
    Column("employer", "employer", False, ("azienda", "datore_di_lavoro", "ente_ospitante"), "", "Esempio S.p.A."),
    Column("kind", "opportunity_kind", True, ("tipo", "tipologia"), KIND_VALUES, "tirocinio"),
    Column("title", "text", True, ("titolo", "posizione", "profilo"), "", "Addetto al magazzino"),
    Column("description", "long_text", False, ("descrizione",), "", ""),
    Column("occupation_code", "isco", False, ("codice_isco", "isco", "professione"), "ISCO-08, 1–4 digits", "9333"),
    Column("comune", "text", False, ("comune", "citta"), "", "Milano"),
    Column("municipio", "municipio", False, ("municipio",), "1–9", "9"),
    Column("address", "text", False, ("indirizzo", "sede"), "", "Via Esempio 1"),
    Column("hours_per_week", "hours", False, ("ore_settimanali", "ore"), "1–60", "20"),
    Column("days", "weekdays", False, ("giorni", "giorni_lavorativi"), "lun, mar, …, dom (or 1–7)", "lun, mer"),
    Column("days_and_times", "text", False, ("orari", "giorni_e_orari"), "", "9–13"),
    Column("contract_type", "contract", False, ("tipo_contratto", "contratto"), CONTRACT_VALUES, "tirocinio"),
    Column("starts_on", "date", False, ("data_inizio", "inizio"), "", "01/04/2019"),
    Column("ends_on", "date", False, ("data_fine", "fine", "scadenza"), "", "30/09/2019"),
    Column("seats", "seats", False, ("posti", "numero_posti"), "1 or more; 1 when empty", "2"),
    Column("required_skills", "skills", False, ("competenze_richieste",), "skill codes or names", "ts_reliability"),
    Column("desired_skills", "skills", False, ("competenze_gradite",), "skill codes or names", ""),
    Column("skills_taught", "skills", False, ("competenze_insegnate",), "courses only", ""),
    Column("support", "long_text", False, ("supporto", "affiancamento"), "", "Tutor aziendale"),
    Column("accessibility", "long_text", False, ("accessibilita",), "", ""),
    Column("status", "opportunity_status", True, ("stato",), STATUS_VALUES, "chiusa"),
)  # fmt: skip
MAX_LENGTHS = {"source_system": 40, "source_id": 64, "title": 200, "comune": 120, "address": 200,
               "days_and_times": 200}  # fmt: skip
KIND_ALIASES = {"corso": "course", "formazione": "course", "tirocinio": "internship", "stage": "internship",
                "lavoro": "job", "offertadilavoro": "job", "postol68": "law68", "l68": "law68",
                "collocamentomirato": "law68", "volontariato": "volunteering"}  # fmt: skip
STATUS_ALIASES = {"bozza": "draft", "aperta": "open", "aperto": "open", "attiva": "open", "sospesa": "suspended",
                  "sospeso": "suspended", "chiusa": "closed", "chiuso": "closed", "scaduta": "closed"}  # fmt: skip
CONTRACT_ALIASES = {"tempoindeterminato": "permanent", "indeterminato": "permanent", "ti": "permanent",
                    "tempodeterminato": "fixed_term", "determinato": "fixed_term", "td": "fixed_term",
                    "apprendistato": "apprenticeship", "tirocinio": "internship", "nessuno": "none",
                    "nessuncontratto": "none", "altro": "other"}  # fmt: skip
DAY_ALIASES = {"lun": 1, "lunedi": 1, "mar": 2, "martedi": 2, "mer": 3, "mercoledi": 3, "gio": 4, "giovedi": 4,
               "ven": 5, "venerdi": 5, "sab": 6, "sabato": 6, "dom": 7, "domenica": 7, "mon": 1, "monday": 1,
               "tue": 2, "tuesday": 2, "wed": 3, "wednesday": 3, "thu": 4, "thursday": 4, "fri": 5, "friday": 5,
               "sat": 6, "saturday": 6, "sun": 7, "sunday": 7}  # fmt: skip
_TABLES: dict[str, dict] = {}


def _table(kind: str) -> dict:
    if not _TABLES:
        from opportunities import skills
        from opportunities.choices import ContractType, OpportunityKind, OpportunityStatus

        _TABLES["opportunity_kind"] = choice_table(OpportunityKind, KIND_ALIASES)
        _TABLES["opportunity_status"] = choice_table(OpportunityStatus, STATUS_ALIASES)
        _TABLES["contract"] = choice_table(ContractType, CONTRACT_ALIASES)
        table = {}
        for skill in skills.entries().values():
            for name in (skill.code, skill.label_it, skill.label_en):
                table.setdefault(fold(name), skill.code)
        _TABLES["skills"] = table
    return _TABLES[kind]


def _list(raw) -> list[str]:
    value = cells.text(raw)
    return [part.strip() for part in re.split(r"[,;]", value) if part.strip()] if value else []


def read_opportunity_cell(ctx: EmployerContext, column: Column, raw):
    """The value of a cell of the opportunities layout, None when empty; CellError when it cannot be read."""
    kind = column.kind
    if kind in ("opportunity_kind", "opportunity_status", "contract"):
        return _coded(raw, _table(kind), column.values)
    if kind in ("text", "employer"):
        return cells.text(raw, max_length=MAX_LENGTHS.get(column.name, 200))
    if kind == "long_text":
        return cells.text(raw, multiline=True)
    if kind == "date":
        return cells.date(raw)
    if kind == "municipio":
        return cells.municipio(raw)
    if kind == "hours":
        return cells.whole_number(raw, minimum=1, maximum=60)
    if kind == "seats":
        return cells.whole_number(raw, minimum=1, maximum=1000)
    if kind == "isco":
        from opportunities import occupations

        value = cells.text(raw)
        if value and not occupations.is_valid(value):
            raise CellError(
                _("“%(value)s” is not an ISCO-08 group: write its code of 1 to 4 digits.") % {"value": value}
            )
        return value
    if kind == "weekdays":
        days = []
        for part in _list(raw):
            day = int(part) if part.isdigit() else DAY_ALIASES.get(fold(part))
            if day is None or not 1 <= day <= 7:
                raise CellError(
                    _("“%(value)s” is not a day of the week: write lun, mar, … or 1 to 7.") % {"value": part}
                )
            days.append(day)
        return sorted(set(days)) or None
    if kind == "skills":
        codes = []
        for part in _list(raw):
            code = _table("skills").get(fold(part))
            if code is None:
                raise CellError(
                    _(
                        "“%(value)s” is not a skill of the shared vocabulary: write its code or its name as Ponte "
                        "shows it."
                    )
                    % {"value": part}
                )
            codes.append(code)
        return list(dict.fromkeys(codes)) or None
    raise AssertionError(column.name)


class OpportunityRow(EmployerRow):
    @property
    def name(self) -> str:
        return self.values.get("title") or ""


def parse_opportunity_row(ctx: EmployerContext, line: int, cells_by_name: dict) -> OpportunityRow:
    """Read a row of the opportunities layout and check it on its own."""
    row = OpportunityRow(line=line)
    read = {}
    for column in OPPORTUNITY_COLUMNS:
        if column.name not in cells_by_name:
            continue
        try:
            read[column.name] = read_opportunity_cell(ctx, column, cells_by_name[column.name])
        except CellError as exc:
            row.error(column.name, str(exc))
            read[column.name] = None
    row.source_system = read.get("source_system") or ctx.default_source_system or ""
    row.source_id = read.get("source_id") or ""
    failed = {column for column, _message in row.errors}
    for column in OPPORTUNITY_COLUMNS:
        if column.required and column.name not in failed and read.get(column.name) in (None, ""):
            if not (column.name == "source_system" and row.source_system):
                row.error(column.name, _("Required: fill in this cell."))
    starts, ends = read.get("starts_on"), read.get("ends_on")
    if starts and ends and ends < starts:
        row.error("ends_on", _("The end cannot come before the start: check both dates."))
    if read.get("status") == "open" and ends and ends < ctx.today:
        row.error("status", _("The opportunity has ended: write closed, or correct its end date."))
    if read.get("skills_taught") and read.get("kind") and read["kind"] != "course":
        row.error("skills_taught", _("Only a training course teaches skills: empty this cell."))
    both = set(read.get("required_skills") or []) & set(read.get("desired_skills") or [])
    if both:
        row.error("desired_skills", _("A skill is either required or desired, not both: %(codes)s.")
                  % {"codes": ", ".join(sorted(both))})  # fmt: skip
    values = {name: read[name] for name in read if read[name] not in (None, "")}
    values.pop("source_system", None), values.pop("source_id", None)
    row.values = values
    return row
