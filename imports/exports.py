"""Writing the layouts: exports of the persons a user may see, and the empty templates, as CSV or XLSX.

Every text cell that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) gets
a leading apostrophe; reading a file strips it again (imports.cells.text), so an export imports back unchanged.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.utils.translation import gettext as _

from accounts.access import access_for
from cases.choices import CaseStatus
from cases.models import Case, Referral
from imports.cells import FORMULA_STARTS
from imports.choices import Entity
from imports.layouts import persons as layout
from imports.models import SourceKey
from people.choices import SECTION_CLINICAL, ConsentPurpose, ShareSection
from people.models import Consent, Person, active_consents
from people.sections import SECTION_FIELDS

PONTE_SYSTEM = "PONTE"
CHUNK = 1000
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value) -> str:
    """The cell as text a spreadsheet shows as text: dates dd/mm/yyyy, yes/no as sì/no, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(rows: Iterable[list]) -> bytes:
    """UTF-8 with BOM and `;`: what Excel in Italian opens correctly with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: Iterable[list], *, guide: list[list] | None = None, title: str = "") -> bytes:
    """A workbook whose cells are all text (so no cell is ever a formula), streamed row by row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet((title or _("persons"))[:31])
    for row in rows:
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            cell.data_type = "s"
            out.append(cell)
        sheet.append(out)
    if guide:
        notes = workbook.create_sheet(_("guide")[:31])
        for row in guide:
            notes.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _columns(entity: str):
    from imports.handlers import handler_for

    return handler_for(entity).columns


def template_rows(entity: str = Entity.PERSONS) -> list[list]:
    return [[column.name for column in _columns(entity)]]


def guide_rows(entity: str = Entity.PERSONS) -> list[list]:
    """The second sheet of the XLSX template: each column, whether required, what it holds, an example."""
    rows = [[_("column"), _("required"), _("type"), _("values"), _("example")]]
    kinds = {
        "text": _("text"), "fiscal_code": _("fiscal code"), "choice": _("coded value"), "date": _("date dd/mm/yyyy"),
        "municipio": _("Milan municipio"), "email": _("e-mail"), "number": _("whole number"), "yes_no": _("sì/no"),
        "organisation": _("organisation name"), "sections": _("list of sections"), "unit": _("unit name"),
        "area": _("coded value"), "case_status": _("coded value"), "closing_reason": _("coded value"),
        "referral_status": _("coded value"), "user": _("username"), "long_text": _("text"),
    }  # fmt: skip
    for column in _columns(entity):
        rows.append(
            [column.name, _("yes") if column.required else "", kinds[column.kind], column.values, column.example]
        )
    return rows


def _consent_cells(consents: list[Consent]) -> dict[str, object]:
    """The consent columns from a person's consents: per purpose the one in force, else the latest."""
    cells: dict[str, object] = {}
    for purpose in (*layout.CONSENT_PURPOSES, ConsentPurpose.SHARING):
        mine = [c for c in consents if c.purpose == purpose]
        if not mine:
            continue
        mine.sort(key=lambda c: (c.is_active(), c.given_on, c.pk), reverse=True)
        chosen = mine[0]
        cells[f"consent_{purpose}_given_on"] = chosen.given_on
        cells[f"consent_{purpose}_withdrawn_on"] = chosen.withdrawn_on
        if purpose == ConsentPurpose.SHARING:
            cells["consent_sharing_with"] = chosen.organisation.name
            cells["consent_sharing_sections"] = ", ".join(sorted(chosen.sections or []))
    return cells


def persons_for_export(user):
    """The persons `user` may see, with what decides the sections of each: none at all for aggregate-only roles."""
    access = access_for(user)
    orgs = access.person_org_ids
    if not orgs or access.is_aggregate_only:
        return Person.objects.none()
    clinical = access.clinical_org_ids
    treats = Q(registered_by_id__in=orgs) | Exists(Case.objects.filter(person=OuterRef("pk"), organisation_id__in=orgs))
    clinical_q = Q(registered_by_id__in=clinical) | Exists(
        Case.objects.filter(person=OuterRef("pk"), organisation_id__in=clinical, closed_on__isnull=True)
    )
    return (
        Person.objects.restrict(user, "view")
        .annotate(
            treated=ExpressionWrapper(treats, output_field=BooleanField()),
            clinical=ExpressionWrapper(clinical_q, output_field=BooleanField()) if clinical else Value(False),
        )
        .order_by("pk")
    )


def export_person_rows(user) -> Iterator[list]:
    """The header and one row per person `user` may see, in the persons layout; hidden sections stay empty."""
    access = access_for(user)
    orgs = access.person_org_ids
    yield list(layout.COLUMN_NAMES)
    queryset = persons_for_export(user)
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:CHUNK])
        if not chunk:
            return
        last_pk = chunk[-1].pk
        ids = [p.pk for p in chunk]
        shared: dict[int, set[str]] = {}
        for person_id, sections in Consent.objects.filter(
            active_consents(), person_id__in=ids, purpose=ConsentPurpose.SHARING, organisation_id__in=orgs
        ).values_list("person_id", "sections"):
            shared.setdefault(person_id, set()).update(sections or [])
        keys = {
            k.person_id: k
            for k in SourceKey.objects.filter(
                entity=Entity.PERSONS, person_id__in=ids, organisation_id__in=access.write_org_ids
            ).order_by("pk")
        }
        consents: dict[int, list[Consent]] = {}
        for consent in Consent.objects.filter(person_id__in=ids, recorded_by_organisation_id__in=orgs).select_related(
            "organisation"
        ):
            consents.setdefault(consent.person_id, []).append(consent)
        for person in chunk:
            sections = set(ShareSection.values) if person.treated else shared.get(person.pk, set())
            if person.clinical:
                sections.add(SECTION_CLINICAL)
            hidden = {f for section, fields in SECTION_FIELDS.items() if section not in sections for f in fields}
            key = keys.get(person.pk)
            cells = {
                "source_system": key.source_system if key else PONTE_SYSTEM,
                "source_id": key.source_id if key else str(person.pk),
                **{name: getattr(person, name) for name in layout.PERSON_FIELDS if name not in hidden},
            }
            if person.treated:
                cells.update(_consent_cells(consents.get(person.pk, [])))
            yield [cells.get(name) for name in layout.COLUMN_NAMES]


def _keys(entity: str, ids: list[int], org_ids) -> dict[int, SourceKey]:
    return {
        k.object_id: k
        for k in SourceKey.objects.filter(entity=entity, object_id__in=ids, organisation_id__in=org_ids).order_by("pk")
    }


def cases_for_export(user):
    """The cases `user` may see, none for aggregate-only roles."""
    access = access_for(user)
    if not access.person_org_ids or access.is_aggregate_only:
        return Case.objects.none()
    return Case.objects.restrict(user, "view").order_by("pk")


def export_case_rows(user) -> Iterator[list]:
    """The header and one row per case `user` may see, in the cases layout."""
    from imports.layouts.cases import CASE_COLUMNS

    names = [column.name for column in CASE_COLUMNS]
    yield names
    access = access_for(user)
    queryset = cases_for_export(user).select_related("person", "organisation", "unit", "case_manager")
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        keys = _keys(Entity.CASES, [c.pk for c in chunk], access.write_org_ids)
        for case in chunk:
            key = keys.get(case.pk)
            cells = {
                "source_system": key.source_system if key else PONTE_SYSTEM,
                "source_id": key.source_id if key else str(case.pk),
                "fiscal_code": case.person.fiscal_code,
                "organisation": case.organisation.name,
                "unit": case.unit.name,
                "area": case.area,
                "case_manager": case.case_manager.username if case.case_manager else None,
                "opened_on": case.opened_on,
                "status": CaseStatus.CLOSED if case.closed_on else CaseStatus.OPEN,
                "closed_on": case.closed_on,
                "closing_reason": case.closing_reason or None,
                "closing_note": case.closing_note or None,
            }
            yield [cells.get(name) for name in names]


def referrals_for_export(user):
    """The referrals `user` may see (sent or received by their organisations), none for aggregate-only roles."""
    access = access_for(user)
    if not access.person_org_ids or access.is_aggregate_only:
        return Referral.objects.none()
    return Referral.objects.restrict(user, "view").order_by("pk")


def export_referral_rows(user) -> Iterator[list]:
    """The header and one row per referral `user` may see, in the referrals layout."""
    from django.utils import timezone

    from imports.layouts.cases import REFERRAL_COLUMNS

    names = [column.name for column in REFERRAL_COLUMNS]
    yield names
    access = access_for(user)
    queryset = referrals_for_export(user).select_related(
        "person", "from_unit__organisation", "to_unit__organisation", "case__case_manager"
    )

    def day(moment):
        return timezone.localtime(moment).date() if moment else None

    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        keys = _keys(Entity.REFERRALS, [r.pk for r in chunk], access.write_org_ids)
        for referral in chunk:
            key = keys.get(referral.pk)
            manager = referral.case.case_manager if referral.case and referral.case.case_manager else None
            cells = {
                "source_system": key.source_system if key else PONTE_SYSTEM,
                "source_id": key.source_id if key else str(referral.pk),
                "fiscal_code": referral.person.fiscal_code,
                "from_organisation": referral.from_unit.organisation.name,
                "from_unit": referral.from_unit.name,
                "to_organisation": referral.to_unit.organisation.name,
                "to_unit": referral.to_unit.name,
                "area": referral.area,
                "reason": referral.reason,
                "sent_on": day(referral.sent_at),
                "status": referral.status,
                "decided_on": day(referral.decided_at),
                "rejection_reason": referral.rejection_reason or None,
                "withdrawn_on": day(referral.withdrawn_at),
                "case_manager": manager.username if manager else None,
            }
            yield [cells.get(name) for name in names]


def rows_for(entity: str, user) -> Iterator[list]:
    """The export of a layout for `user`."""
    return {Entity.PERSONS: export_person_rows, Entity.CASES: export_case_rows, Entity.REFERRALS: export_referral_rows}[
        entity
    ](user)


def count_for(entity: str, user) -> int:
    return {Entity.PERSONS: persons_for_export, Entity.CASES: cases_for_export, Entity.REFERRALS: referrals_for_export}[
        entity
    ](user).count()
