"""The cases layout (presa in carico) and the referrals layout: their columns and how each cell is read.

A row names its person by the old id of the persons layout (`person_source_id`, same old system) or by the fiscal
code; units by their name as Ponte shows it. docs/import.md documents both layouts; imports/case_rows.py compares
the rows with Ponte and writes them.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import Area, CaseStatus, ClosingReason, ReferralStatus
from imports import cells
from imports.cells import CellError, fold
from imports.layouts.common import Column, ParsedRow, choice_table
from people.fiscal import fiscal_code_errors, normalise_fiscal_code

_PERSON = (
    Column("source_system", "text", True, ("sistema_origine", "sistema", "origine"), "", "SIAL"),
    Column("source_id", "text", True, ("id_origine", "id", "codice_origine", "id_vecchio"), "", "C-5521"),
    Column("person_source_id", "text", False, ("id_origine_persona", "id_persona"), "", "10234"),
    Column("fiscal_code", "fiscal_code", False, ("codice_fiscale", "cf", "codfisc"), "", "RSSMRA80C65F205X"),
)
AREA_VALUES = "work, housing, prevention, justice (lavoro, casa, prevenzione, giustizia)"
CASE_COLUMNS: tuple[Column, ...] = (
    *_PERSON,
    Column("organisation", "organisation", False, ("ente", "organizzazione"), "", "ASST Fatebenefratelli Sacco"),
    Column("unit", "unit", True, ("unita", "servizio", "unita_operativa"), "", "Polo Lavoro Sacco"),
    Column("area", "area", True, ("ambito", "area_intervento"), AREA_VALUES, "work"),
    Column("case_manager", "user", False, ("case_manager_username", "referente", "operatore"), "", "m.bianchi"),
    Column("opened_on", "date", True, ("data_apertura", "aperta_il", "data_presa_in_carico"), "", "15/09/2014"),
    Column("status", "case_status", False, ("stato",), "open, closed (aperta, chiusa)", "closed"),
    Column("closed_on", "date", False, ("data_chiusura", "chiusa_il"), "", "30/06/2017"),
    Column(
        "closing_reason",
        "closing_reason",
        False,
        ("motivo_chiusura",),
        "goals_met, transferred, drop_out, person_choice, moved, deceased, other",
        "goals_met",
    ),
    Column("closing_note", "text", False, ("nota_chiusura", "note_chiusura"), "", "Assunta a tempo indeterminato"),
)
REFERRAL_COLUMNS: tuple[Column, ...] = (
    *_PERSON,
    Column("from_organisation", "organisation", False, ("ente_inviante", "da_ente"), "", "ASST Fatebenefratelli Sacco"),
    Column("from_unit", "unit", True, ("unita_inviante", "da_unita", "inviante"), "", "CPS Sacco"),
    Column("to_organisation", "organisation", False, ("ente_ricevente", "a_ente"), "", "ASST Fatebenefratelli Sacco"),
    Column("to_unit", "unit", True, ("unita_ricevente", "a_unita", "ricevente"), "", "Polo Lavoro Sacco"),
    Column("area", "area", True, ("ambito", "area_intervento"), AREA_VALUES, "work"),
    Column("reason", "long_text", True, ("motivo", "motivo_invio"), "", "Inserimento lavorativo"),
    Column("sent_on", "date", True, ("data_invio", "inviata_il"), "", "10/03/2015"),
    Column(
        "status",
        "referral_status",
        True,
        ("stato",),
        "sent, accepted, rejected, withdrawn (inviata, accettata, rifiutata, ritirata)",
        "accepted",
    ),
    Column("decided_on", "date", False, ("data_decisione", "decisa_il"), "", "24/03/2015"),
    Column("rejection_reason", "long_text", False, ("motivo_rifiuto",), "", ""),
    Column("withdrawn_on", "date", False, ("data_ritiro", "ritirata_il"), "", ""),
    Column("case_manager", "user", False, ("case_manager_username", "referente", "operatore"), "", "m.bianchi"),
)
MAX_LENGTHS = {"source_system": 40, "source_id": 64, "person_source_id": 64, "closing_note": 500}

AREA_ALIASES = {
    "lavoro": "work", "lavoroeformazione": "work", "inserimentolavorativo": "work", "formazione": "work",
    "casa": "housing", "abitare": "housing", "abitativo": "housing", "residenzialita": "housing",
    "prevenzione": "prevention", "antistigma": "prevention",
    "giustizia": "justice", "carcere": "justice", "rems": "justice",
}  # fmt: skip
CASE_STATUS_ALIASES = {"aperta": "open", "aperto": "open", "incorso": "open", "chiusa": "closed", "chiuso": "closed",
                       "sospesa": "suspended", "sospeso": "suspended"}  # fmt: skip
CLOSING_ALIASES = {
    "obiettiviraggiunti": "goals_met", "obiettivoraggiunto": "goals_met", "conclusa": "goals_met",
    "trasferimento": "transferred", "trasferito": "transferred", "trasferita": "transferred",
    "abbandono": "drop_out", "dropout": "drop_out", "interruzione": "drop_out",
    "sceltadellapersona": "person_choice", "rinuncia": "person_choice",
    "trasferimentofuoriterritorio": "moved", "cambioresidenza": "moved", "trasloco": "moved",
    "decesso": "deceased", "deceduto": "deceased", "deceduta": "deceased",
    "altro": "other",
}  # fmt: skip
REFERRAL_STATUS_ALIASES = {
    "inviata": "sent", "inviato": "sent", "inattesa": "sent", "attesa": "sent",
    "accettata": "accepted", "accettato": "accepted", "accolta": "accepted", "presaincarico": "accepted",
    "rifiutata": "rejected", "rifiutato": "rejected", "respinta": "rejected", "nonaccolta": "rejected",
    "ritirata": "withdrawn", "ritirato": "withdrawn", "annullata": "withdrawn",
}  # fmt: skip


@dataclass
class CaseContext:
    """What reading a row of the cases or referrals layout needs: the importer's organisation, the units and the
    organisations of the network, the users who may manage a case of the organisation."""

    org_id: int
    default_source_system: str = ""
    organisations: dict[str, int] = field(default_factory=dict)
    # folded unit name → [(organisation id, unit id)]
    units: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    case_managers: dict[str, int] = field(default_factory=dict)  # username (lower case) → user id
    today: datetime.date = field(default_factory=timezone.localdate)


class CaseRow(ParsedRow):
    """A row of the cases or referrals layout; it names its person by a key, not by name."""

    @property
    def name(self) -> str:
        return self.values.get("fiscal_code") or (
            f"{self.source_system}:{self.values['person_source_id']}" if self.values.get("person_source_id") else ""
        )


def _coded(raw, table: dict[str, str], hint: str):
    value = cells.text(raw)
    if value is None:
        return None
    found = table.get(fold(value))
    if found:
        return found
    raise CellError(_("“%(value)s” is not a known value. Write one of: %(hint)s.") % {"value": value, "hint": hint})


_TABLES: dict[str, dict[str, str]] = {}


def _table(kind: str) -> dict[str, str]:
    if not _TABLES:
        _TABLES["area"] = choice_table(Area, AREA_ALIASES)
        _TABLES["case_status"] = choice_table(CaseStatus, CASE_STATUS_ALIASES)
        _TABLES["closing_reason"] = choice_table(ClosingReason, CLOSING_ALIASES)
        _TABLES["referral_status"] = choice_table(ReferralStatus, REFERRAL_STATUS_ALIASES)
    return _TABLES[kind]


def read_cell(ctx: CaseContext, column: Column, raw):
    """The value of a cell, None when empty; CellError when it cannot be read. Units are resolved in parse_row."""
    kind = column.kind
    if kind in ("area", "case_status", "closing_reason", "referral_status"):
        return _coded(raw, _table(kind), column.values)
    if kind == "fiscal_code":
        value = cells.text(raw)
        return normalise_fiscal_code(value) if value else None
    if kind == "long_text":
        return cells.text(raw, multiline=True)
    if kind in ("text", "unit"):
        return cells.text(raw, max_length=MAX_LENGTHS.get(column.name, 200))
    if kind == "date":
        return cells.date(raw)
    if kind == "user":
        value = cells.text(raw, max_length=150)
        if value is None:
            return None
        user_id = ctx.case_managers.get(value.lower())
        if user_id is None:
            raise CellError(
                _(
                    "“%(value)s” is not the username of an operator, coordinator or clinician of your organisation: "
                    "write the username they sign in with, or empty the cell."
                )
                % {"value": value}
            )
        return user_id
    if kind == "organisation":
        value = cells.text(raw)
        if value is None:
            return None
        org_id = ctx.organisations.get(fold(value))
        if org_id is None:
            raise CellError(
                _("“%(value)s” is not an organisation of the network: write its name as Ponte shows it.")
                % {"value": value}
            )
        return org_id
    raise AssertionError(column.name)


def _unit(ctx: CaseContext, row: ParsedRow, name: str, org_column: str, read: dict, *, own: bool) -> int | None:
    """The unit named in column `name`, inside the organisation of `org_column` (or the importer's with `own`)."""
    value = read.get(name)
    if value is None:
        return None
    org_id = read.get(org_column)
    matches = ctx.units.get(fold(value), [])
    if org_id is not None:
        matches = [m for m in matches if m[0] == org_id]
    elif own:
        matches = [m for m in matches if m[0] == ctx.org_id]
    if len(matches) == 1:
        return matches[0][1]
    if not matches:
        row.error(
            name,
            _("“%(value)s” is not a unit of %(where)s: write its name as Ponte shows it.")
            % {"value": value, "where": _("your organisation") if own else _("the network")},
        )
    else:
        row.error(
            name,
            _("Several organisations have a unit “%(value)s”: write the organisation in %(column)s.")
            % {"value": value, "column": org_column},
        )
    return None


def _read_all(
    ctx: CaseContext, row: ParsedRow, columns, cells_by_name: dict, reader=None, *, person_required: bool = True
) -> dict:
    """Every cell of a row, read by `reader` (read_cell by default); required cells checked, and the person named
    when `person_required` (an activity may name none)."""
    reader = reader or read_cell
    read = {}
    for column in columns:
        if column.name not in cells_by_name:
            continue
        try:
            read[column.name] = reader(ctx, column, cells_by_name[column.name])
        except CellError as exc:
            row.error(column.name, str(exc))
            read[column.name] = None
    row.source_system = read.get("source_system") or ctx.default_source_system or ""
    row.source_id = read.get("source_id") or ""
    failed = {column for column, _message in row.errors}
    for column in columns:
        if not column.required or column.name in failed:
            continue
        if column.name == "source_system" and row.source_system:
            continue
        if read.get(column.name) in (None, ""):
            row.error(column.name, _("Required: fill in this cell."))
    named = read.get("person_source_id") or read.get("fiscal_code")
    if person_required and not named and not failed & {"fiscal_code"}:
        row.error(
            "fiscal_code", _("Name the person: write the fiscal code, or the person's old id in person_source_id.")
        )
    code = read.get("fiscal_code")
    if code and "fiscal_code" not in failed:
        for messages in fiscal_code_errors(code).values():
            for message in messages:
                row.error("fiscal_code", message)
    return read


def _not_future(ctx: CaseContext, row: ParsedRow, read: dict, *names: str) -> None:
    for name in names:
        if read.get(name) and read[name] > ctx.today:
            row.error(name, _("The date cannot be in the future: check the year."))


def parse_case_row(ctx: CaseContext, line: int, cells_by_name: dict) -> CaseRow:
    """Read a row of the cases layout and check it on its own."""
    row = CaseRow(line=line)
    read = _read_all(ctx, row, CASE_COLUMNS, cells_by_name)
    if read.get("organisation") not in (None, ctx.org_id):
        row.error("organisation", _("Cases are imported by the organisation that holds them: write yours, or empty."))
    unit_id = _unit(ctx, row, "unit", "organisation", read, own=True)
    _not_future(ctx, row, read, "opened_on", "closed_on")
    opened, closed, status = read.get("opened_on"), read.get("closed_on"), read.get("status")
    if closed and opened and closed < opened:
        row.error("closed_on", _("The case is closed before it was opened: check both dates."))
    if status == CaseStatus.SUSPENDED:
        row.error("status", _("Suspended cases are not imported: write open, or closed with its date and reason."))
    elif status == CaseStatus.CLOSED and not closed:
        row.error("closed_on", _("The case is closed: write the date it was closed (dd/mm/yyyy)."))
    elif status == CaseStatus.OPEN and closed:
        row.error("status", _("A closing date is given: write closed here, or empty the date."))
    if closed and not read.get("closing_reason") and "closing_reason" not in {c for c, _m in row.errors}:
        row.error("closing_reason", _("The case is closed: write why (see the coded values)."))
    if read.get("closing_note") and not closed:
        row.error("closing_note", _("A closing note is given: write also the closing date, or empty the note."))
    if read.get("closing_reason") and not closed:
        row.error("closing_reason", _("A closing reason is given: write also the closing date, or empty the reason."))
    values = {name: read[name] for name in read if read[name] not in (None, "") and name not in ("organisation",)}
    values.pop("source_system", None), values.pop("source_id", None)
    values["unit"] = unit_id
    values["status"] = CaseStatus.CLOSED if closed else CaseStatus.OPEN
    row.values = values
    return row


def parse_referral_row(ctx: CaseContext, line: int, cells_by_name: dict) -> CaseRow:
    """Read a row of the referrals layout and check it on its own."""
    row = CaseRow(line=line)
    read = _read_all(ctx, row, REFERRAL_COLUMNS, cells_by_name)
    from_unit = _unit(ctx, row, "from_unit", "from_organisation", read, own=False)
    to_unit = _unit(ctx, row, "to_unit", "to_organisation", read, own=False)
    if from_unit and from_unit == to_unit:
        row.error("to_unit", _("A referral goes to another unit: check both units."))
    _not_future(ctx, row, read, "sent_on", "decided_on", "withdrawn_on")
    status, sent = read.get("status"), read.get("sent_on")
    decided, withdrawn = read.get("decided_on"), read.get("withdrawn_on")
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED) and not decided:
        row.error("decided_on", _("The referral was decided: write the date of the decision (dd/mm/yyyy)."))
    if status not in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, None) and decided:
        row.error("decided_on", _("Only an accepted or rejected referral has a decision date: empty this cell."))
    if status == ReferralStatus.REJECTED and not read.get("rejection_reason"):
        row.error("rejection_reason", _("The referral was rejected: write why."))
    if status != ReferralStatus.REJECTED and read.get("rejection_reason"):
        row.error("rejection_reason", _("Only a rejected referral has a reason for rejection: empty this cell."))
    if status == ReferralStatus.WITHDRAWN and not withdrawn:
        row.error("withdrawn_on", _("The referral was withdrawn: write the date (dd/mm/yyyy)."))
    if status not in (ReferralStatus.WITHDRAWN, None) and withdrawn:
        row.error("withdrawn_on", _("Only a withdrawn referral has a withdrawal date: empty this cell."))
    if read.get("case_manager") and status != ReferralStatus.ACCEPTED:
        row.error("case_manager", _("Only an accepted referral opens a case with a case manager: empty this cell."))
    for name, later in (("decided_on", decided), ("withdrawn_on", withdrawn)):
        if sent and later and later < sent:
            row.error(name, _("This date is before the referral was sent: check both dates."))
    values = {name: read[name] for name in read if read[name] not in (None, "")}
    for name in ("source_system", "source_id", "from_organisation", "to_organisation"):
        values.pop(name, None)
    values["from_unit"], values["to_unit"] = from_unit, to_unit
    row.values = values
    return row
