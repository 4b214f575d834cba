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
        "path_kind": _("coded value"), "path_status": _("coded value"), "interruption_reason": _("coded value"),
        "category": _("coded value"), "hours": _("number"), "days": _("whole number"), "money": _("amount in euro"),
        "event_kind": _("coded value"), "employer_kind": _("coded value"), "coop_type": _("coded value"),
        "ateco": _("ATECO division"), "count": _("whole number"), "url": _("web address"),
        "employer": _("employer name"), "opportunity_kind": _("coded value"), "opportunity_status": _("coded value"),
        "contract": _("coded value"), "isco": _("ISCO-08 code"), "seats": _("whole number"),
        "skills": _("list of skills"), "weekdays": _("list of days"), "version": _("whole number"),
        "answers": _("answers item=value; …"),
        "minutes": _("whole number"), "activity_kind": _("coded value"), "profession": _("coded value"),
        "programme_code": _("text"), "note": _("text"),
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


def paths_for_export(user):
    """The paths `user` may see (those its organisations run), none for aggregate-only roles."""
    from paths.models import Path

    access = access_for(user)
    if not access.person_org_ids or access.is_aggregate_only:
        return Path.objects.none()
    return Path.objects.restrict(user, "view").order_by("pk")


def export_path_rows(user) -> Iterator[list]:
    """The header and one row per path `user` may see, in the paths layout.

    Every state is written as itself: a suspended path with the day of its suspension (from its history), an
    internship converted to a hiring as converted, followed on the next line by its hiring, which names it in
    previous_source_id (the import converts it from there). The case is named by the old id the cases export gives
    it.
    """
    from imports.layouts.paths import PATH_COLUMNS
    from paths.choices import HIRING_KINDS, PathStatus
    from paths.models import PathChange

    names = [column.name for column in PATH_COLUMNS]
    yield names
    access = access_for(user)
    queryset = paths_for_export(user).select_related("person", "host", "service_tutor")
    written_with_internship: set[int] = set()  # hirings already written after their internship
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        converted = [p.pk for p in chunk if p.status == PathStatus.CONVERTED]
        hirings = {h.previous_id: h for h in queryset.filter(previous_id__in=converted)} if converted else {}
        paths = []
        for path in chunk:
            if path.pk in written_with_internship:
                continue
            paths.append(path)
            hiring = hirings.get(path.pk)
            if hiring is not None:
                paths.append(hiring)
                written_with_internship.add(hiring.pk)
        previous_ids = [p.previous_id for p in paths if p.previous_id]
        keys = _keys(Entity.PATHS, [p.pk for p in paths] + previous_ids, access.write_org_ids)
        case_keys = _keys(Entity.CASES, [p.case_id for p in paths if p.case_id], access.write_org_ids)
        suspended_on: dict[int, datetime.date] = {}
        suspended = [p.pk for p in paths if p.status == PathStatus.SUSPENDED]
        for path_id, day in (
            PathChange.objects.filter(path_id__in=suspended, to_status=PathStatus.SUSPENDED)
            .order_by("at", "pk")
            .values_list("path_id", "on")
        ):
            suspended_on[path_id] = day  # the latest suspension wins
        for path in paths:
            key = keys.get(path.pk)
            system = key.source_system if key else PONTE_SYSTEM
            case_key = case_keys.get(path.case_id)
            case_id = None
            if path.case_id and (case_key.source_system if case_key else PONTE_SYSTEM) == system:
                case_id = case_key.source_id if case_key else str(path.case_id)
            previous_id = None
            if path.previous_id:
                previous_key = keys.get(path.previous_id)
                previous_id = previous_key.source_id if previous_key else str(path.previous_id)
            status = path.status
            ended = status in (PathStatus.COMPLETED, PathStatus.INTERRUPTED)
            reason = None
            if status == PathStatus.INTERRUPTED:
                job_reason = path.kind in HIRING_KINDS and path.job_end_reason
                reason = job_reason if job_reason in ("resignation", "dismissal", "probation", "contract_end") else None
                reason = reason or path.interruption_reason or None
            cells = {
                "source_system": system,
                "source_id": key.source_id if key else str(path.pk),
                "fiscal_code": path.person.fiscal_code,
                "case_source_id": case_id,
                "previous_source_id": previous_id,
                "kind": path.kind,
                "host": path.host.name,
                "title": path.title or None,
                "starts_on": path.starts_on,
                "planned_end_on": path.planned_end_on,
                "status": status,
                "ended_on": path.ended_on,
                "suspended_on": suspended_on.get(path.pk) if status == PathStatus.SUSPENDED else None,
                "interruption_reason": reason,
                "hours_per_week": _decimal_cell(path.hours_per_week),
                "days_per_week": path.days_per_week,
                "host_tutor": path.host_tutor or None,
                "service_tutor": path.service_tutor.username if path.service_tutor else None,
                "beneficiary_category": path.beneficiary_category,
                "monthly_indemnity": _decimal_cell(path.monthly_indemnity),
                "meal_vouchers": path.meal_vouchers,
                "outcome_note": (path.outcome_note or None) if ended else None,
            }
            yield [cells.get(name) for name in names]


def _decimal_cell(value) -> str | None:
    """A decimal as Italian spreadsheets write it: 20,5 and 500,00."""
    return None if value is None else str(value).replace(".", ",")


def _path_cell(path_id: int | None, path_keys: dict[int, SourceKey], system: str) -> str | None:
    """The path_source_id of a row of `system`: the path's id as the paths export writes it, when the path comes
    from the same system as the row (a key names a path of its own system only); otherwise empty."""
    if not path_id:
        return None
    key = path_keys.get(path_id)
    if (key.source_system if key else PONTE_SYSTEM) != system:
        return None
    return key.source_id if key else str(path_id)


def events_for_export(user):
    """The events `user` may see that their organisations recorded (hospitalisations for clinical roles of a
    treating organisation only), none for aggregate-only roles."""
    from paths.models import ProgrammeEvent

    access = access_for(user)
    if not access.person_org_ids or access.is_aggregate_only:
        return ProgrammeEvent.objects.none()
    return (
        ProgrammeEvent.objects.restrict(user, "view").filter(organisation_id__in=access.person_org_ids).order_by("pk")
    )


def export_event_rows(user) -> Iterator[list]:
    """The header and one row per event `user` may see, in the events layout; its path by the paths export's id."""
    from imports.layouts.events import EVENT_COLUMNS

    names = [column.name for column in EVENT_COLUMNS]
    yield names
    access = access_for(user)
    queryset = events_for_export(user).select_related("person")
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        keys = _keys(Entity.EVENTS, [e.pk for e in chunk], access.write_org_ids)
        path_keys = _keys(Entity.PATHS, [e.path_id for e in chunk if e.path_id], access.write_org_ids)
        for event in chunk:
            key = keys.get(event.pk)
            system = key.source_system if key else PONTE_SYSTEM
            cells = {
                "source_system": system,
                "source_id": key.source_id if key else str(event.pk),
                "fiscal_code": event.person.fiscal_code,
                "path_source_id": _path_cell(event.path_id, path_keys, system),
                "kind": event.kind,
                "occurred_on": event.occurred_on,
                "ended_on": event.ended_on,
                "note": event.note or None,
            }
            yield [cells.get(name) for name in names]


def employers_for_export(user):
    """The employer profiles `user` may see (scouting staff: the network's; a company referent: their own)."""
    from opportunities.models import EmployerProfile

    return EmployerProfile.objects.restrict(user, "view").order_by("pk")


def export_employer_rows(user) -> Iterator[list]:
    """The header and one row per employer profile `user` may see, in the employers layout."""
    from imports.layouts.employers import EMPLOYER_COLUMNS
    from opportunities.services import PROFILE_FIELDS

    names = [column.name for column in EMPLOYER_COLUMNS]
    yield names
    access = access_for(user)
    queryset = employers_for_export(user).select_related("organisation")
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        keys = _keys(Entity.EMPLOYERS, [p.pk for p in chunk], access.write_org_ids)
        for profile in chunk:
            key = keys.get(profile.pk)
            cells = {
                "source_system": key.source_system if key else PONTE_SYSTEM,
                "source_id": key.source_id if key else str(profile.pk),
                "name": profile.organisation.name,
                "kind": profile.organisation.kind,
                **{name: getattr(profile, name) for name in PROFILE_FIELDS},
            }
            yield [None if cells.get(name) == "" else cells.get(name) for name in names]


def opportunities_for_export(user):
    """The opportunities the user's organisations published (the catalogue of the others is theirs to export)."""
    from opportunities.models import Opportunity

    return Opportunity.objects.restrict(user, "change").order_by("pk")


def export_opportunity_rows(user) -> Iterator[list]:
    """The header and one row per opportunity the user's organisations published, in the opportunities layout."""
    from imports.layouts.opportunities import OPPORTUNITY_COLUMNS
    from opportunities.services import OPPORTUNITY_FIELDS

    names = [column.name for column in OPPORTUNITY_COLUMNS]
    yield names
    access = access_for(user)
    queryset = opportunities_for_export(user).select_related("employer__organisation")
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        keys = _keys(Entity.OPPORTUNITIES, [o.pk for o in chunk], access.write_org_ids)
        for opportunity in chunk:
            key = keys.get(opportunity.pk)
            cells = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
            cells.update(
                source_system=key.source_system if key else PONTE_SYSTEM,
                source_id=key.source_id if key else str(opportunity.pk),
                employer=opportunity.employer.organisation.name if opportunity.employer_id else None,
            )
            for name in ("days", "required_skills", "desired_skills", "skills_taught"):
                cells[name] = ", ".join(str(value) for value in cells[name]) or None
            yield [None if cells.get(name) == "" else cells.get(name) for name in names]


def assessments_for_export(user):
    """The completed assessments the user's organisations wrote, of persons the user sees; none for aggregate-only
    roles."""
    from assessments.choices import AssessmentStatus
    from assessments.models import Assessment

    access = access_for(user)
    if not access.person_org_ids or access.is_aggregate_only:
        return Assessment.objects.none()
    return (
        Assessment.objects.restrict(user, "view")
        .filter(status=AssessmentStatus.COMPLETED, organisation_id__in=access.person_org_ids)
        .order_by("pk")
    )


def export_assessment_rows(user) -> Iterator[list]:
    """The header and one row per completed assessment, in the assessments layout (repeating groups as
    group.row.item=value); clinical items only for those who may read them."""
    from assessments.permissions import writable_item_ids
    from imports.assessment_rows import answers_text
    from imports.layouts.assessments import ASSESSMENT_COLUMNS

    names = [column.name for column in ASSESSMENT_COLUMNS]
    yield names
    access = access_for(user)
    queryset = assessments_for_export(user).select_related("person", "instrument_version__instrument")
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        keys = _keys(Entity.ASSESSMENTS, [a.pk for a in chunk], access.write_org_ids)
        for assessment in chunk:
            key = keys.get(assessment.pk)
            readable = writable_item_ids(user, assessment, assessment.person)
            cells = {
                "source_system": key.source_system if key else PONTE_SYSTEM,
                "source_id": key.source_id if key else str(assessment.pk),
                "fiscal_code": assessment.person.fiscal_code,
                "instrument": assessment.instrument_version.instrument.code,
                "instrument_version": assessment.instrument_version.number,
                "assessed_on": assessment.assessed_on,
                "answers": answers_text(assessment.answers, readable, assessment.definition),
            }
            yield [cells.get(name) for name in names]


def activities_for_export(user):
    """The activities of `user`'s organisations (as the activity pages show them), none for aggregate-only roles."""
    from paths.models import Activity

    access = access_for(user)
    if not access.person_org_ids or access.is_aggregate_only:
        return Activity.objects.none()
    return Activity.objects.restrict(user, "view").order_by("pk")


def export_activity_rows(user) -> Iterator[list]:
    """The header and one row per activity `user` may see, in the activities layout; its person by fiscal code
    (none for an activity not attributable), its path by the paths export's id, its operator by username."""
    from imports.layouts.activities import ACTIVITY_COLUMNS

    names = [column.name for column in ACTIVITY_COLUMNS]
    yield names
    access = access_for(user)
    queryset = activities_for_export(user).select_related("person", "operator")
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk)[:CHUNK]):
        last_pk = chunk[-1].pk
        keys = _keys(Entity.ACTIVITIES, [a.pk for a in chunk], access.write_org_ids)
        path_keys = _keys(Entity.PATHS, [a.path_id for a in chunk if a.path_id], access.write_org_ids)
        for activity in chunk:
            key = keys.get(activity.pk)
            system = key.source_system if key else PONTE_SYSTEM
            cells = {
                "source_system": system,
                "source_id": key.source_id if key else str(activity.pk),
                "fiscal_code": activity.person.fiscal_code if activity.person_id else None,
                "path_source_id": _path_cell(activity.path_id, path_keys, system),
                "operator": activity.operator.get_username(),
                "performed_on": activity.performed_on,
                "minutes": activity.minutes,
                "kind": activity.kind,
                "profession": activity.profession,
                "programme_code": activity.programme_code,
                "note": activity.note or None,
            }
            yield [cells.get(name) for name in names]


EXPORTS = {
    Entity.PERSONS: (export_person_rows, persons_for_export),
    Entity.CASES: (export_case_rows, cases_for_export),
    Entity.REFERRALS: (export_referral_rows, referrals_for_export),
    Entity.PATHS: (export_path_rows, paths_for_export),
    Entity.EVENTS: (export_event_rows, events_for_export),
    Entity.EMPLOYERS: (export_employer_rows, employers_for_export),
    Entity.OPPORTUNITIES: (export_opportunity_rows, opportunities_for_export),
    Entity.ASSESSMENTS: (export_assessment_rows, assessments_for_export),
    Entity.ACTIVITIES: (export_activity_rows, activities_for_export),
}


def rows_for(entity: str, user) -> Iterator[list]:
    """The export of a layout for `user`."""
    return EXPORTS[entity][0](user)


def count_for(entity: str, user) -> int:
    return EXPORTS[entity][1](user).count()
