"""The persons layout (persons with their consents): its columns, how each cell is read, and how a row
becomes a person in Ponte through people.services. docs/import.md documents it for the people who fill it.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from imports import cells
from imports.cells import CellError, fold
from people.choices import ConsentPurpose, DiagnosisGroup, Education, Sex, ShareSection
from people.fiscal import fiscal_code_errors, normalise_fiscal_code


@dataclass(frozen=True)
class Column:
    """One column of a layout: its header, whether it must be filled, how it is read and what it holds."""

    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: str = ""
    example: str = ""


# Consent columns: one group per purpose; sharing also names the receiving organisation and the sections.
CONSENT_PURPOSES = (ConsentPurpose.CARE, ConsentPurpose.COMPANY_CONTACT, ConsentPurpose.STATISTICS)
CONSENT_IT = {
    "care": "cura",
    "company_contact": "contatto_aziende",
    "statistics": "statistica",
    "sharing": "condivisione",
}

COLUMNS: tuple[Column, ...] = (
    Column("source_system", "text", True, ("sistema_origine", "sistema", "origine"), "", "SIAL"),
    Column("source_id", "text", True, ("id_origine", "id", "codice_origine", "id_vecchio"), "", "10234"),
    Column("fiscal_code", "fiscal_code", True, ("codice_fiscale", "cf", "codfisc"), "", "RSSMRA80C65F205X"),
    Column("last_name", "text", True, ("cognome",), "", "Rossi"),
    Column("first_name", "text", True, ("nome",), "", "Maria"),
    Column("sex", "choice", True, ("sesso", "genere"), "F, M (femmina, maschio, donna, uomo)", "F"),
    Column("birth_date", "date", True, ("data_nascita", "data_di_nascita", "nato_il", "nata_il"), "", "25/03/1980"),
    Column("birth_place", "text", True, ("luogo_nascita", "luogo_di_nascita", "comune_nascita"), "", "Milano"),
    Column("citizenship", "text", False, ("cittadinanza", "nazionalita"), "", "italiana"),
    Column("residence_comune", "text", False, ("comune_residenza", "comune_di_residenza", "residenza"), "", "Milano"),
    Column("residence_municipio", "municipio", False, ("municipio",), "1–9 (Municipio 3, M3, III)", "8"),
    Column("address", "text", False, ("indirizzo",), "", "Via Padova 10"),
    Column("phone", "text", False, ("telefono", "cellulare", "tel"), "", "+39 333 1234567"),
    Column("email", "email", False, ("e_mail", "mail", "posta_elettronica"), "", "maria.rossi@example.it"),
    Column(
        "education", "choice", False, ("titolo_studio", "titolo_di_studio", "scolarita", "istruzione"), "", "diploma"
    ),
    Column("work_history", "text", False, ("storia_lavorativa", "esperienze_lavorative"), "", "Magazzino 2010–2015"),
    Column(
        "civil_invalidity_percent",
        "number",
        False,
        ("invalidita_civile", "percentuale_invalidita", "invalidita"),
        "0–100",
        "67",
    ),
    Column(
        "law68_registered", "yes_no", False, ("iscritto_l68", "legge_68", "l68", "collocamento_mirato"), "sì / no", "sì"
    ),
    Column("law68_registered_on", "date", False, ("data_iscrizione_l68", "data_l68"), "", "10/01/2019"),
    Column(
        "diagnosis_group", "choice", False, ("gruppo_diagnostico", "diagnosi", "icd10"), "F20-F29, F20.0, …", "F20-F29"
    ),
    *(
        Column(f"consent_{purpose}_{when}", "date", False, (f"consenso_{CONSENT_IT[purpose]}_{it}",), "", example)
        for purpose in CONSENT_PURPOSES
        for when, it, example in (("given_on", "dal", "01/02/2020"), ("withdrawn_on", "revocato_il", ""))
    ),
    Column("consent_sharing_with", "organisation", False, ("consenso_condivisione_con",), "", "ASST Niguarda"),
    Column(
        "consent_sharing_sections",
        "sections",
        False,
        ("consenso_condivisione_sezioni",),
        "contacts, social, cases",
        "contacts, social",
    ),
    Column("consent_sharing_given_on", "date", False, ("consenso_condivisione_dal",), "", "01/02/2020"),
    Column("consent_sharing_withdrawn_on", "date", False, ("consenso_condivisione_revocato_il",), "", ""),
    Column("new_person_confirmed", "yes_no", False, ("nuova_persona_confermata", "conferma_nuova"), "sì / no", ""),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED = tuple(column.name for column in COLUMNS if column.required)

# Fields of Person the layout writes, in layout order.
PERSON_FIELDS = (
    "fiscal_code",
    "last_name",
    "first_name",
    "sex",
    "birth_date",
    "birth_place",
    "citizenship",
    "residence_comune",
    "residence_municipio",
    "address",
    "phone",
    "email",
    "education",
    "work_history",
    "civil_invalidity_percent",
    "law68_registered",
    "law68_registered_on",
    "diagnosis_group",
)
MAX_LENGTHS = {
    "source_system": 40,
    "source_id": 64,
    "last_name": 100,
    "first_name": 100,
    "birth_place": 120,
    "citizenship": 80,
    "residence_comune": 120,
    "address": 200,
    "phone": 40,
}

# Spellings of coded values found in the old files, besides the codes and the labels in both languages.
SEX_ALIASES = {
    "f": "F",
    "femmina": "F",
    "donna": "F",
    "femminile": "F",
    "m": "M",
    "maschio": "M",
    "uomo": "M",
    "maschile": "M",
}
EDUCATION_ALIASES = {
    "nessuno": "none", "nessuntitolo": "none", "senzatitolo": "none", "analfabeta": "none",
    "elementare": "primary", "elementari": "primary", "licenzaelementare": "primary", "primaria": "primary",
    "scuolaprimaria": "primary",
    "media": "lower_secondary", "medie": "lower_secondary", "licenzamedia": "lower_secondary",
    "scuolamedia": "lower_secondary", "terzamedia": "lower_secondary", "secondariaprimogrado": "lower_secondary",
    "qualifica": "vocational", "qualificaprofessionale": "vocational", "iefp": "vocational",
    "professionale": "vocational",
    "diploma": "upper_secondary", "maturita": "upper_secondary", "diplomadimaturita": "upper_secondary",
    "superiori": "upper_secondary", "secondariasecondogrado": "upper_secondary",
    "laurea": "tertiary", "universita": "tertiary", "laureatriennale": "tertiary", "laureamagistrale": "tertiary",
    "dottorato": "tertiary", "master": "tertiary",
}  # fmt: skip
SECTION_ALIASES = {
    "contatti": "contacts", "contattieresidenza": "contacts", "residenza": "contacts",
    "sociale": "social", "social": "social", "profilosociale": "social",
    "casi": "cases", "preseincarico": "cases", "presaincarico": "cases",
}  # fmt: skip
DIAGNOSIS_BLOCKS = [
    (0, 9, "F00-F09"), (10, 19, "F10-F19"), (20, 29, "F20-F29"), (30, 39, "F30-F39"), (40, 48, "F40-F48"),
    (50, 59, "F50-F59"), (60, 69, "F60-F69"), (70, 79, "F70-F79"), (80, 89, "F80-F89"), (90, 98, "F90-F98"),
    (99, 99, "F99"),
]  # fmt: skip


def _labels(choices) -> dict[str, str]:
    """Folded code and label (English and Italian) → code."""
    table = {}
    for code, label in choices.choices:
        table[fold(code)] = code
        for language in ("en", "it"):
            with override(language):
                table[fold(str(label))] = code
    return table


def diagnosis_block(raw: str) -> str | None:
    """The ICD-10 block of 'F20-F29', 'F20–F29', 'F20', 'F20.0' or 'F200'; None if it is none of these."""
    code = raw.strip().upper().replace(" ", "")
    for dash in ("–", "—"):
        code = code.replace(dash, "-")
    if code in DiagnosisGroup.values:
        return code
    if len(code) >= 3 and code[0] == "F" and code[1:3].isdigit():
        rest = code[3:].lstrip(".")
        if rest and not rest.isalnum():
            return None
        number = int(code[1:3])
        for low, high, block in DIAGNOSIS_BLOCKS:
            if low <= number <= high:
                return block
    return None


@dataclass
class Context:
    """What reading a row needs besides the row: the importer, their organisation and value mappings."""

    org_id: int
    default_source_system: str = ""
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    organisations: dict[str, int] = field(default_factory=dict)
    may_record_diagnosis: bool = False
    today: datetime.date = field(default_factory=timezone.localdate)
    organisation_cache: dict = field(default_factory=dict)


@dataclass
class ConsentSpec:
    purpose: str
    organisation_id: int
    given_on: datetime.date
    withdrawn_on: datetime.date | None = None
    sections: tuple[str, ...] = ()
    column: str = ""


@dataclass
class ParsedRow:
    """A row read and checked on its own, before it is compared with Ponte."""

    line: int
    source_system: str = ""
    source_id: str = ""
    values: dict = field(default_factory=dict)
    consents: list[ConsentSpec] = field(default_factory=list)
    new_person_confirmed: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.values.get('last_name') or ''} {self.values.get('first_name') or ''}".strip()

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, str(message)))


def _choice(ctx: Context, name: str, raw, table: dict[str, str], aliases: dict[str, str], hint: str):
    value = cells.text(raw)
    if value is None:
        return None
    folded = fold(value)
    mapped = ctx.mappings.get(name, {}).get(folded)
    if mapped:
        return mapped
    if name == "diagnosis_group":
        block = diagnosis_block(value)
        if block:
            return block
    found = aliases.get(folded) or table.get(folded)
    if found:
        return found
    raise CellError(
        _("“%(value)s” is not a known value. Write one of: %(hint)s; or map it to a Ponte value on the mappings page.")
        % {"value": value, "hint": hint}
    )


_SEX_TABLE = None
_EDUCATION_TABLE = None
_DIAGNOSIS_TABLE = None


def _tables():
    global _SEX_TABLE, _EDUCATION_TABLE, _DIAGNOSIS_TABLE
    if _SEX_TABLE is None:
        _SEX_TABLE, _EDUCATION_TABLE, _DIAGNOSIS_TABLE = _labels(Sex), _labels(Education), _labels(DiagnosisGroup)
    return _SEX_TABLE, _EDUCATION_TABLE, _DIAGNOSIS_TABLE


def read_cell(ctx: Context, name: str, raw):
    """The value of cell `name`, or None when empty; CellError when it cannot be read."""
    column = BY_NAME[name]
    sex_table, education_table, diagnosis_table = _tables()
    if name == "sex":
        return _choice(ctx, name, raw, sex_table, SEX_ALIASES, "F, M")
    if name == "education":
        return _choice(
            ctx, name, raw, education_table, EDUCATION_ALIASES, "nessuno, elementare, media, qualifica, diploma, laurea"
        )
    if name == "diagnosis_group":
        return _choice(ctx, name, raw, diagnosis_table, {}, _("an ICD-10 code or block such as F20.0 or F20-F29"))
    if name == "fiscal_code":
        value = cells.text(raw)
        return normalise_fiscal_code(value) if value else None
    if name == "work_history":
        return cells.text(raw, multiline=True)
    if column.kind == "text":
        return cells.text(raw, max_length=MAX_LENGTHS.get(name))
    if column.kind == "date":
        return cells.date(raw)
    if column.kind == "yes_no":
        return cells.yes_no(raw)
    if column.kind == "number":
        return cells.whole_number(raw, minimum=0, maximum=100)
    if column.kind == "municipio":
        return cells.municipio(raw)
    if column.kind == "email":
        return cells.email(raw)
    if column.kind == "organisation":
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
    if column.kind == "sections":
        value = cells.text(raw)
        if value is None:
            return ()
        sections = []
        for part in value.replace(";", ",").replace("|", ",").replace("/", ",").replace("+", ",").split(","):
            folded = fold(part)
            if not folded:
                continue
            code = SECTION_ALIASES.get(folded) or (folded if folded in ShareSection.values else None)
            if code is None:
                raise CellError(
                    _("“%(value)s” is not a section: write contacts, social or cases (contatti, sociale, casi).")
                    % {"value": part.strip()}
                )
            sections.append(code)
        return tuple(sorted(set(sections)))
    raise AssertionError(name)


def parse_row(ctx: Context, line: int, cells_by_name: dict) -> ParsedRow:
    """Read every cell of a row and check the row on its own (required cells, dates, fiscal code, consents)."""
    row = ParsedRow(line=line)
    read = {}
    for name in COLUMN_NAMES:
        if name not in cells_by_name:
            continue
        try:
            read[name] = read_cell(ctx, name, cells_by_name[name])
        except CellError as exc:
            row.error(name, str(exc))
            read[name] = None
    row.source_system = read.get("source_system") or ctx.default_source_system or ""
    row.source_id = read.get("source_id") or ""
    failed = {column for column, _message in row.errors}
    for name in REQUIRED:
        if name in failed:
            continue
        if name == "source_system" and row.source_system:
            continue
        if read.get(name) in (None, ""):
            row.error(name, _("Required: fill in this cell."))
    values = {name: read[name] for name in PERSON_FIELDS if read.get(name) not in (None, "")}
    row.values = values
    row.new_person_confirmed = bool(read.get("new_person_confirmed"))

    birth_date = values.get("birth_date")
    if birth_date and birth_date > ctx.today:
        row.error("birth_date", _("The birth date is in the future: check the year."))
    elif birth_date and birth_date.year < 1900:
        row.error("birth_date", _("The birth date is before 1900: check the year."))
    if values.get("diagnosis_group") and not ctx.may_record_diagnosis:
        row.error(
            "diagnosis_group",
            _(
                "Only a clinician of the organisation may record the diagnosis group: empty this column, or have "
                "the file imported by a coordinator who is also a clinician."
            ),
        )
    if values.get("law68_registered_on") and values.get("law68_registered") is False:
        row.error("law68_registered", _("A Law 68 registration date is given: write sì here, or empty the date."))

    code = values.get("fiscal_code")
    if code and "fiscal_code" not in failed:
        problems = fiscal_code_errors(
            code,
            sex=values.get("sex") if "sex" not in failed else None,
            birth_date=birth_date if "birth_date" not in failed else None,
            birth_place=values.get("birth_place"),
        )
        for column, messages in problems.items():
            for message in messages:
                row.error(column, message + " " + _("Check this cell and the fiscal code against the health card."))

    _parse_consents(ctx, row, read)
    return row


def _parse_consents(ctx: Context, row: ParsedRow, read: dict) -> None:
    groups = [(purpose.value, ctx.org_id, ()) for purpose in CONSENT_PURPOSES]
    groups.append(
        (ConsentPurpose.SHARING.value, read.get("consent_sharing_with"), read.get("consent_sharing_sections"))
    )
    for purpose, org_id, sections in groups:
        given_col, withdrawn_col = f"consent_{purpose}_given_on", f"consent_{purpose}_withdrawn_on"
        given, withdrawn = read.get(given_col), read.get(withdrawn_col)
        if purpose == ConsentPurpose.SHARING:
            if given and not org_id and not any(c == "consent_sharing_with" for c, _m in row.errors):
                row.error("consent_sharing_with", _("Write the organisation the person consented to share with."))
                continue
            if org_id and not given:
                row.error(given_col, _("Write the date the consent to share was given (dd/mm/yyyy)."))
                continue
            if org_id == ctx.org_id and given:
                row.error(
                    "consent_sharing_with",
                    _("Your organisation already treats the person: name another organisation, or empty the column."),
                )
                continue
        if withdrawn and not given:
            row.error(given_col, _("A withdrawal date is given: write also the date the consent was given."))
            continue
        if not given:
            continue
        if given > ctx.today:
            row.error(given_col, _("A consent cannot be dated in the future: check the date."))
            continue
        if withdrawn and withdrawn > ctx.today:
            row.error(withdrawn_col, _("A withdrawal cannot be dated in the future: check the date."))
            continue
        if withdrawn and withdrawn < given:
            row.error(withdrawn_col, _("The withdrawal is dated before the consent was given: check both dates."))
            continue
        row.consents.append(
            ConsentSpec(
                purpose, org_id, given, withdrawn, tuple(sections or ()) if purpose == "sharing" else (), given_col
            )
        )


def fingerprint(value) -> str:
    """A short digest of an imported value: enough to tell whether a later file changed it."""
    if isinstance(value, datetime.date):
        value = value.isoformat()
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def header_map(header: list) -> tuple[dict[int, str], list[str], list[str]]:
    """Column index → layout name; and the unknown and duplicated headers."""
    lookup = {}
    for column in COLUMNS:
        lookup[fold(column.name)] = column.name
        for alias in column.aliases:
            lookup[fold(alias)] = column.name
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
