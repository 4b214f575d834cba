"""The paths layout (percorsi di inclusione lavorativa): its columns and how each cell is read.

A row names its person as in the cases layout (old id or fiscal code), its host organisation by name and,
optionally, the case it belongs to by the case's old id. docs/import.md documents it; imports/path_rows.py compares
the rows with Ponte and writes them through paths.services.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from imports import cells
from imports.cells import CellError
from imports.layouts.cases import _PERSON, CaseContext, CaseRow, _coded, _not_future, _read_all, read_cell
from imports.layouts.common import Column, choice_table
from paths.choices import (
    HIRING_KINDS,
    INTERNSHIP_KINDS,
    INTERRUPTION_REASONS,
    BeneficiaryCategory,
    InterruptionReason,
    JobEndReason,
    PathKind,
    PathStatus,
)

KIND_VALUES = (
    "course, internship, inclusion_internship, hiring_fixed, hiring_open, law68_hiring, coop_b, volunteering "
    "(corso, tirocinio, tirocinio di inclusione, assunzione a tempo determinato, assunzione a tempo indeterminato, "
    "assunzione L68, cooperativa B, volontariato)"
)
STATUS_VALUES = (
    "planned, active, suspended, completed, interrupted, converted (programmato, in corso, sospeso, concluso, "
    "interrotto, convertito)"
)
REASON_VALUES = (
    "drop_out, health, host_choice, person_choice, other; for a job also resignation, dismissal, probation, "
    "contract_end (abbandono, salute, scelta dell'ospitante, scelta della persona, altro, dimissioni, licenziamento, "
    "prova non superata, fine contratto)"
)
CATEGORY_VALUES = "standard, disadvantaged, disabled (ordinario, svantaggiato, disabile)"

PATH_COLUMNS: tuple[Column, ...] = (
    *(Column(c.name, c.kind, c.required, c.aliases, c.values, "P-77" if c.name == "source_id" else c.example)
      for c in _PERSON),
    Column("case_source_id", "text", False, ("id_origine_caso", "id_caso"), "", "C-5521"),
    Column("previous_source_id", "text", False, ("id_origine_precedente", "id_tirocinio"),
           "a hiring: the old id of the internship it came from", ""),
    Column("kind", "path_kind", True, ("tipo", "tipo_percorso", "tipologia"), KIND_VALUES, "internship"),
    Column("host", "organisation", True, ("ospitante", "ente_ospitante", "azienda"), "", "Esempio Logistica S.p.A."),
    Column("title", "text", False, ("mansione", "titolo", "corso", "ruolo"), "", "Magazziniere"),
    Column("starts_on", "date", True, ("data_inizio", "inizio", "avvio"), "", "01/04/2019"),
    Column("planned_end_on", "date", False, ("fine_prevista", "data_fine_prevista"), "", "30/09/2019"),
    Column("status", "path_status", True, ("stato", "esito_percorso"), STATUS_VALUES, "completed"),
    Column("ended_on", "date", False, ("data_fine", "fine", "conclusa_il"), "", "30/09/2019"),
    Column("suspended_on", "date", False, ("sospeso_dal", "data_sospensione"), "suspended only", ""),
    Column("interruption_reason", "interruption_reason", False, ("motivo_interruzione", "motivo_fine"),
           REASON_VALUES, ""),
    Column("hours_per_week", "hours", False, ("ore_settimanali", "ore_settimana"), "0,5–60", "20"),
    Column("days_per_week", "days", False, ("giorni_settimanali", "giorni_settimana"), "1–7", "5"),
    Column("host_tutor", "text", False, ("tutor_aziendale", "tutor_ospitante"), "", "Paola Verdi"),
    Column("service_tutor", "user", False, ("tutor_servizio", "operatore"), "", "m.bianchi"),
    Column("beneficiary_category", "category", False, ("categoria_beneficiario", "categoria"), CATEGORY_VALUES,
           "disadvantaged"),
    Column("monthly_indemnity", "money", False, ("indennita_mensile", "indennita"), "euro, internships only", "500"),
    Column("meal_vouchers", "yes_no", False, ("buoni_pasto", "mensa"), "sì / no", "no"),
    Column("outcome_note", "long_text", False, ("esito", "note_esito", "nota"), "", "Concluso con buone competenze"),
)  # fmt: skip
MAX_LENGTHS = {"source_system": 40, "source_id": 64, "person_source_id": 64, "case_source_id": 64,
               "previous_source_id": 64, "title": 200, "host_tutor": 120}  # fmt: skip

KIND_ALIASES = {
    "corso": "course", "formazione": "course", "corsodiformazione": "course", "orientamento": "course",
    "tirocinio": "internship", "tirocinioextracurriculare": "internship", "stage": "internship",
    "tirociniodiinclusione": "inclusion_internship", "tirocinioinclusione": "inclusion_internship",
    "assunzioneatempodeterminato": "hiring_fixed", "tempodeterminato": "hiring_fixed", "td": "hiring_fixed",
    "assunzioneatempoindeterminato": "hiring_open", "tempoindeterminato": "hiring_open", "ti": "hiring_open",
    "assunzionel68": "law68_hiring", "assunzionelegge68": "law68_hiring", "l68": "law68_hiring",
    "cooperativab": "coop_b", "coopb": "coop_b", "cooperativasocialeditipob": "coop_b",
    "volontariato": "volunteering",
}  # fmt: skip
STATUS_ALIASES = {
    "programmato": "planned", "pianificato": "planned", "previsto": "planned",
    "attivo": "active", "incorso": "active", "avviato": "active",
    "concluso": "completed", "completato": "completed", "terminato": "completed",
    "interrotto": "interrupted", "sospeso": "suspended", "convertito": "converted", "trasformato": "converted",
}  # fmt: skip
REASON_ALIASES = {
    "abbandono": "drop_out", "dropout": "drop_out", "salute": "health", "motivisanitari": "health",
    "sceltadellospitante": "host_choice", "sceltadellazienda": "host_choice", "sceltaospitante": "host_choice",
    "sceltadellapersona": "person_choice", "rinuncia": "person_choice", "altro": "other",
    "dimissioni": "resignation", "licenziamento": "dismissal", "provanonsuperata": "probation",
    "finecontratto": "contract_end", "scadenzacontratto": "contract_end",
}  # fmt: skip
CATEGORY_ALIASES = {"ordinario": "standard", "generale": "standard", "svantaggiato": "disadvantaged",
                    "svantaggiata": "disadvantaged", "disabile": "disabled", "l68": "disabled"}  # fmt: skip

_TABLES: dict[str, dict[str, str]] = {}


def _table(kind: str) -> dict[str, str]:
    if not _TABLES:
        _TABLES["path_kind"] = choice_table(PathKind, KIND_ALIASES)
        _TABLES["path_status"] = choice_table(PathStatus, STATUS_ALIASES)
        reasons = choice_table(InterruptionReason, REASON_ALIASES)
        for code, value in choice_table(JobEndReason, {}).items():
            reasons.setdefault(code, value)
        _TABLES["interruption_reason"] = reasons
        _TABLES["category"] = choice_table(BeneficiaryCategory, CATEGORY_ALIASES)
    return _TABLES[kind]


def decimal(value, *, places: str, minimum: Decimal, maximum: Decimal) -> Decimal | None:
    """A number with a decimal comma or point ('20', '20,5', '1.250,00', '€ 500'), at most `places` decimals."""
    if isinstance(value, bool):
        raise CellError(_("Write a number."))
    raw = str(value) if isinstance(value, int | float) else cells.text(value)
    if raw is None:
        return None
    cleaned = raw.replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "")  # 1.250,00: the point groups thousands
    elif "." in cleaned and len(cleaned.rsplit(".", 1)[1]) == 3:
        cleaned = cleaned.replace(".", "")  # 1.250: thousands, as Italian spreadsheets write them
    try:
        number = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise CellError(
            _("“%(value)s” is not a number: write digits, for example 20 or 20,5.") % {"value": raw}
        ) from None
    if not number.is_finite() or not minimum <= number <= maximum:
        raise CellError(
            _("%(value)s is out of range: write a number from %(min)s to %(max)s.")
            % {"value": raw, "min": str(minimum).replace(".", ","), "max": str(maximum).replace(".", ",")}
        )
    if number != number.quantize(Decimal(places)):
        raise CellError(
            _("“%(value)s”: write at most %(n)d decimals.") % {"value": raw, "n": -Decimal(places).as_tuple().exponent}
        )
    return number.quantize(Decimal(places))


def read_path_cell(ctx: CaseContext, column: Column, raw):
    """The value of a cell of the paths layout, None when empty; CellError when it cannot be read."""
    kind = column.kind
    if kind in ("path_kind", "path_status", "interruption_reason", "category"):
        return _coded(raw, _table(kind), column.values)
    if kind == "text":
        return cells.text(raw, max_length=MAX_LENGTHS.get(column.name, 200))
    if kind == "hours":
        return decimal(raw, places="0.1", minimum=Decimal("0.5"), maximum=Decimal("60"))
    if kind == "money":
        return decimal(raw, places="0.01", minimum=Decimal("0"), maximum=Decimal("99999.99"))
    if kind == "days":
        return cells.whole_number(raw, minimum=1, maximum=7)
    if kind == "yes_no":
        return cells.yes_no(raw)
    return read_cell(ctx, column, raw)


FINAL = (PathStatus.COMPLETED, PathStatus.INTERRUPTED, PathStatus.CONVERTED)


def parse_path_row(ctx: CaseContext, line: int, cells_by_name: dict) -> CaseRow:
    """Read a row of the paths layout and check it on its own."""
    row = CaseRow(line=line)
    read = _read_all(ctx, row, PATH_COLUMNS, cells_by_name, reader=read_path_cell)
    _not_future(ctx, row, read, "ended_on")
    kind, status = read.get("kind"), read.get("status")
    starts, ended, reason = read.get("starts_on"), read.get("ended_on"), read.get("interruption_reason")
    _not_future(ctx, row, read, "suspended_on")
    suspended, previous = read.get("suspended_on"), read.get("previous_source_id")
    if status == PathStatus.CONVERTED and kind and kind not in INTERNSHIP_KINDS:
        row.error("status", _("Only an internship is converted to a hiring: write completed, or correct the kind."))
    if status in FINAL and not ended:
        row.error("ended_on", _("The path has ended: write the day it ended (dd/mm/yyyy)."))
    elif status in (PathStatus.PLANNED, PathStatus.ACTIVE, PathStatus.SUSPENDED) and ended:
        row.error(
            "ended_on",
            _("Only a completed, interrupted or converted path has an end date: write its status, or empty this."),
        )
    if status == PathStatus.SUSPENDED and not suspended and "suspended_on" not in {c for c, _m in row.errors}:
        row.error("suspended_on", _("The path is suspended: write the day it was suspended (dd/mm/yyyy)."))
    elif suspended and status != PathStatus.SUSPENDED:
        row.error("suspended_on", _("Only a suspended path has a suspension date: empty this cell."))
    elif starts and suspended and suspended < starts:
        row.error("suspended_on", _("The path is suspended before it starts: check both dates."))
    if previous and kind and kind not in HIRING_KINDS:
        row.error(
            "previous_source_id",
            _("Only a hiring comes from an internship: empty this cell, or correct the kind."),
        )
    elif previous and status == PathStatus.PLANNED:
        row.error("status", _("A hiring converted from an internship starts active: write its status, not planned."))
    if status == PathStatus.ACTIVE and starts and starts > ctx.today:
        row.error("status", _("The path has not started yet: write planned."))
    if starts and ended and ended < starts:
        row.error("ended_on", _("The path ends before it starts: check both dates."))
    if starts and read.get("planned_end_on") and read["planned_end_on"] < starts:
        row.error("planned_end_on", _("The planned end is before the start: check both dates."))
    if status == PathStatus.INTERRUPTED and not reason and "interruption_reason" not in {c for c, _m in row.errors}:
        row.error("interruption_reason", _("The path was interrupted: write why (see the coded values)."))
    if reason and status != PathStatus.INTERRUPTED:
        row.error("interruption_reason", _("Only an interrupted path has a reason for interruption: empty this cell."))
    elif reason and reason not in INTERRUPTION_REASONS and kind and kind not in HIRING_KINDS:
        row.error("interruption_reason", _("This reason is for the end of a job: write one of drop_out, health, "
                                           "host_choice, person_choice, other."))  # fmt: skip
    if read.get("outcome_note") and status == PathStatus.CONVERTED:
        row.error("outcome_note", _("An internship converted to a hiring has no outcome: write it on the hiring's "
                                    "row, or empty this cell."))  # fmt: skip
    elif read.get("outcome_note") and status not in FINAL:
        row.error("outcome_note", _("The outcome is written for a path that has ended: empty this cell."))
    if read.get("monthly_indemnity") is not None and kind and kind not in INTERNSHIP_KINDS:
        row.error("monthly_indemnity", _("Only internships have a monthly indemnity: empty this cell."))
    values = {name: read[name] for name in read if read[name] not in (None, "")}
    values.pop("source_system", None), values.pop("source_id", None)
    row.values = values
    return row
