"""The employers layout (aziende e enti ospitanti): an employer's organisation and its profile, one row each.

docs/import.md documents it; imports/employer_rows.py compares the rows with Ponte and writes them through
opportunities.services (employer_create, employer_update).
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _

from imports import cells
from imports.cells import CellError, fold
from imports.layouts.cases import _coded
from imports.layouts.common import Column, ParsedRow, choice_table

KIND_VALUES = (
    "company, social_coop, training_body, job_agency, public_body (azienda, cooperativa sociale, ente di formazione, "
    "agenzia per il lavoro, ente pubblico)"
)
EMPLOYER_COLUMNS: tuple[Column, ...] = (
    Column("source_system", "text", True, ("sistema_origine", "sistema", "origine"), "", "INTEGRALAVORO"),
    Column("source_id", "text", True, ("id_origine", "id", "codice_origine"), "", "AZ-301"),
    Column("name", "text", True, ("ragione_sociale", "denominazione", "azienda"), "", "Esempio Logistica S.p.A."),
    Column("kind", "employer_kind", True, ("tipo", "tipologia", "tipo_ente"), KIND_VALUES, "azienda"),
    Column("social_coop_type", "coop_type", False, ("tipo_cooperativa",), "A, B (social cooperatives only)", ""),
    Column("ateco_division", "ateco", False, ("ateco", "codice_ateco", "settore"), "2 digits (46, or 46.19)", "52"),
    Column("employees", "count", True, ("dipendenti", "numero_dipendenti", "organico"), "0–1,000,000", "120"),
    Column("computable_employees", "count", False, ("dipendenti_computabili", "base_computo"), "", "100"),
    Column("law68_covered", "count", False, ("posti_l68_coperti", "l68_coperti", "disabili_assunti"), "", "3"),
    Column("comune", "text", False, ("comune", "citta"), "", "Milano"),
    Column("municipio", "municipio", False, ("municipio",), "1–9", "9"),
    Column("address", "text", False, ("indirizzo", "sede"), "", "Via Esempio 1"),
    Column("contact_name", "text", False, ("referente", "nome_referente"), "", "Paola Verdi"),
    Column("contact_role", "text", False, ("ruolo_referente",), "", "Responsabile HR"),
    Column("phone", "text", False, ("telefono", "tel"), "", "+39 02 1234567"),
    Column("email", "email", False, ("e_mail", "mail"), "", "hr@example.it"),
    Column("website", "url", False, ("sito", "sito_web"), "", "https://www.example.it"),
    Column("needs", "long_text", False, ("fabbisogni", "bisogni", "esigenze"), "", "Magazzinieri part-time"),
)  # fmt: skip
MAX_LENGTHS = {"source_system": 40, "source_id": 64, "name": 200, "comune": 120, "address": 200, "contact_name": 120,
               "contact_role": 120, "phone": 40, "website": 200}  # fmt: skip
KIND_ALIASES = {
    "azienda": "company", "impresa": "company", "ditta": "company", "societa": "company",
    "cooperativasociale": "social_coop", "cooperativa": "social_coop", "coop": "social_coop",
    "entediformazione": "training_body", "formazione": "training_body",
    "agenziaperillavoro": "job_agency", "agenzia": "job_agency", "apl": "job_agency",
    "entepubblico": "public_body", "pa": "public_body", "pubblicaamministrazione": "public_body",
}  # fmt: skip
_TABLES: dict[str, dict[str, str]] = {}


@dataclass
class EmployerContext:
    """What reading a row needs: the importer's organisation and the network's organisations by name."""

    org_id: int
    default_source_system: str = ""
    organisations: dict[str, int] = field(default_factory=dict)  # folded name (and short name) → id
    today: object = field(default_factory=timezone.localdate)


class EmployerRow(ParsedRow):
    """A row of the employers layout, named by the employer."""

    @property
    def name(self) -> str:
        return self.values.get("name") or ""


def _table(kind: str) -> dict[str, str]:
    if not _TABLES:
        from opportunities.choices import EMPLOYER_KIND_CHOICES, SocialCoopType

        _TABLES["employer_kind"] = choice_table(SimpleNamespace(choices=EMPLOYER_KIND_CHOICES), KIND_ALIASES)
        _TABLES["coop_type"] = choice_table(SocialCoopType, {"tipoa": "A", "tipob": "B"})
    return _TABLES[kind]


def _ateco(raw) -> str | None:
    value = cells.text(raw)
    if value is None:
        return None
    from opportunities import ateco

    digits = value.replace(" ", "")
    division = digits.split(".", 1)[0]
    if not (len(division) == 2 and division.isdigit() and division in ateco.division_codes()):
        raise CellError(
            _("“%(value)s” is not an ATECO 2007 division: write its two digits, for example 46.") % {"value": value}
        )
    return division


def read_employer_cell(ctx: EmployerContext, column: Column, raw):
    """The value of a cell of the employers layout, None when empty; CellError when it cannot be read."""
    kind = column.kind
    if kind in ("employer_kind", "coop_type"):
        return _coded(raw, _table(kind), column.values)
    if kind == "text":
        return cells.text(raw, max_length=MAX_LENGTHS.get(column.name, 200))
    if kind == "long_text":
        return cells.text(raw, multiline=True)
    if kind == "count":
        return cells.whole_number(raw, minimum=0, maximum=1_000_000)
    if kind == "municipio":
        return cells.municipio(raw)
    if kind == "email":
        return cells.email(raw)
    if kind == "url":
        value = cells.text(raw, max_length=200)
        if value and not value.lower().startswith(("http://", "https://")):
            value = "https://" + value
        return value
    if kind == "ateco":
        return _ateco(raw)
    raise AssertionError(column.name)


def parse_employer_row(ctx: EmployerContext, line: int, cells_by_name: dict) -> EmployerRow:
    """Read a row of the employers layout and check it on its own."""
    row = EmployerRow(line=line)
    read = {}
    for column in EMPLOYER_COLUMNS:
        if column.name not in cells_by_name:
            continue
        try:
            read[column.name] = read_employer_cell(ctx, column, cells_by_name[column.name])
        except CellError as exc:
            row.error(column.name, str(exc))
            read[column.name] = None
    row.source_system = read.get("source_system") or ctx.default_source_system or ""
    row.source_id = read.get("source_id") or ""
    failed = {column for column, _message in row.errors}
    for column in EMPLOYER_COLUMNS:
        if column.required and column.name not in failed and read.get(column.name) in (None, ""):
            if not (column.name == "source_system" and row.source_system):
                row.error(column.name, _("Required: fill in this cell."))
    if read.get("social_coop_type") and read.get("kind") and read["kind"] != "social_coop":
        row.error("social_coop_type", _("Only social cooperatives have a type A or B: empty this cell."))
    employees, computable = read.get("employees"), read.get("computable_employees")
    if employees is not None and computable is not None and computable > employees:
        row.error("computable_employees", _("The computable employees cannot exceed the headcount."))
    values = {name: read[name] for name in read if read[name] not in (None, "")}
    values.pop("source_system", None), values.pop("source_id", None)
    row.values = values
    return row


def organisation_of(ctx: EmployerContext, name: str) -> int | None:
    return ctx.organisations.get(fold(name))
