"""Exports: the persons the user may see, in the persons layout, safe in a spreadsheet, importable again."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from core.models import JobStatus
from core.testing.cast import make_case, make_consent, make_person
from imports import exports, services
from imports.choices import RowAction, RunStatus
from imports.models import ExportFile
from imports.tests.files import csv_bytes, person_row, read_xlsx
from imports.tests.test_services import commit, errors_of
from people.models import Consent, Person

COMPARED = (
    "fiscal_code",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_place",
    "birth_place_code",
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


def snapshot():
    persons = {p.fiscal_code: {f: getattr(p, f) for f in COMPARED} for p in Person.objects.all()}
    consents = sorted(
        (c.person.fiscal_code, c.purpose, c.organisation_id, c.given_on, c.withdrawn_on, tuple(c.sections))
        for c in Consent.objects.select_related("person")
    )
    return persons, consents


def arrange(user, cast):
    """Persons in every shape the layout holds: accents, formulas, multi-line text, all consents."""
    rows = [
        person_row(
            diagnosis_group="F20-F29",
            work_history="Magazzino\n2010–2015",
            email="luisa@example.it",
            consent_statistics_given_on="03/03/2021",
            consent_statistics_withdrawn_on="04/04/2022",
            consent_sharing_with="ASST Niguarda",
            consent_sharing_sections="contacts, cases",
            consent_sharing_given_on="01/06/2021",
            citizenship="italiana",
            address='=HYPERLINK("x")',
        ),
        person_row(
            source_id="1002",
            last_name="D'Alò",
            first_name="Nicolò",
            sex="M",
            birth_date="01/01/1960",
            birth_place="Tunisia",
            residence_municipio="",
            law68_registered="no",
            law68_registered_on="",
            civil_invalidity_percent="",
            phone="-5",
            consent_care_given_on="",
            education="",
        ),
    ]
    run = commit(user, csv_bytes(rows))
    assert run.status == RunStatus.DONE and run.counts[RowAction.CREATE] == 2, errors_of(run)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_data(cast, clinical_coordinator, client_for, fmt):
    client = client_for(clinical_coordinator)
    point = transaction.savepoint()
    arrange(clinical_coordinator, cast)
    before = snapshot()
    response = client.get(reverse("imports:export_persons", args=[fmt]))
    assert response.status_code == 200
    exported = response.content
    # Back to a Ponte without these persons: the same database before they were imported.
    transaction.savepoint_rollback(point)
    assert not Person.objects.exists()
    run = commit(clinical_coordinator, exported, f"export.{fmt}")
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    after = snapshot()
    for code, fields in before[0].items():
        assert {k: v for k, v in after[0][code].items() if v != fields[k]} == {}, code
    assert after[1] == before[1]
    # And importing the export again changes nothing.
    assert commit(clinical_coordinator, exported, f"export.{fmt}").counts[RowAction.UNCHANGED] == 2


def test_formula_injection_is_defused_in_csv_and_xlsx():
    dangerous = ["=1+1", "+39 02", "-5", "@SUM(A1)", "\tx", "\rx", "safe"]
    content = exports.write_csv([dangerous]).decode("utf-8-sig")
    assert content.split(";")[0] == "'=1+1"
    assert content.strip().split(";") == ["'=1+1", "'+39 02", "'-5", "'@SUM(A1)", "'\tx", '"\'\rx"', "safe"]
    cells = read_xlsx(exports.write_xlsx([dangerous]))[0]
    assert cells[:4] == ["'=1+1", "'+39 02", "'-5", "'@SUM(A1)"]
    assert all(cell.startswith("'") for cell in cells[4:6]) and cells[6] == "safe"


def test_xlsx_export_has_no_formula_cells(cast, client_for):
    import io

    from openpyxl import load_workbook

    make_person(registered_by=cast.org_a, address="=cmd|' /C calc'!A0")
    response = client_for(cast.coordinator_a).get(reverse("imports:export_persons", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    types = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert "f" not in types
    assert "'=cmd|' /C calc'!A0" in [cell.value for row in sheet.iter_rows() for cell in row]


def test_export_holds_only_what_the_user_sees(cast, client_for):
    mine = make_person(registered_by=cast.org_a, phone="02 111", diagnosis_group="F30-F39")
    shared = make_person(registered_by=cast.org_b, phone="02 222", education="tertiary")
    make_consent(person=shared, organisation=cast.org_a, recorded_by=cast.operator_b, sections=["contacts"])
    make_person(registered_by=cast.org_b, phone="02 333")
    rows = list(exports.export_person_rows(cast.coordinator_a))
    header, body = rows[0], {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(body) == {mine.fiscal_code, shared.fiscal_code}
    assert body[mine.fiscal_code]["phone"] == "02 111"
    assert body[mine.fiscal_code]["diagnosis_group"] is None  # a coordinator is not a clinician
    assert body[shared.fiscal_code]["phone"] == "02 222"  # contacts are shared
    assert body[shared.fiscal_code]["education"] is None  # the social section is not
    assert header[0] == "source_system" and body[mine.fiscal_code]["source_id"] == str(mine.pk)


def test_export_is_audited(cast, client_for, person_a):
    client_for(cast.coordinator_a).get(reverse("imports:export_persons", args=["csv"]))
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail == {"entity": "persons", "format": "csv", "rows": 1}
    assert event.actor == cast.coordinator_a


@pytest.mark.parametrize("who", ["analyst", "operator_a", "company_referent", "sysadmin", "dpo"])
def test_export_is_for_coordinators_and_aggregate_roles_get_no_person_rows(cast, client_for, person_a, who):
    user = getattr(cast, who)
    assert client_for(user).get(reverse("imports:export_persons", args=["csv"])).status_code == 404
    if who == "analyst":
        assert list(exports.export_person_rows(user))[1:] == []
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_another_organisations_coordinator_exports_none_of_its_persons(cast, client_for, person_a):
    content = client_for(cast.coordinator_b).get(reverse("imports:export_persons", args=["csv"])).content
    assert person_a.fiscal_code.encode() not in content
    assert content.decode("utf-8-sig").count("\r\n") == 1  # the header only


def test_export_of_persons_imported_keeps_their_source_key(cast):
    commit(cast.coordinator_a, csv_bytes([person_row()]))
    rows = list(exports.export_person_rows(cast.coordinator_a))
    assert rows[1][:2] == ["SIAL", "1001"]
    case_person = make_person(registered_by=cast.org_b)
    make_case(person=case_person, unit=cast.unit_a, opened_on=datetime.date(2025, 1, 1))
    assert len(list(exports.export_person_rows(cast.coordinator_a))) == 3
    assert services  # the service module is what wrote the rows above


def test_export_queries_do_not_grow_with_the_persons(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(exports.export_person_rows(cast.coordinator_a))
        return len(captured)

    for _ in range(2):
        person = make_person(registered_by=cast.org_a)
        make_consent(person=person, organisation=cast.org_b, recorded_by=cast.operator_a)
    queries()  # the user's memberships are read once, then cached on the user
    few = queries()
    for _ in range(8):
        person = make_person(registered_by=cast.org_a)
        make_consent(person=person, organisation=cast.org_b, recorded_by=cast.operator_a)
    assert queries() == few


def test_a_large_export_runs_as_a_task_for_its_requester_only(cast, client_for, person_a, settings):
    settings.EXPORT_INLINE_ROWS = 0  # every export counts as large: tasks run at once in tests (ImmediateBackend)
    client = client_for(cast.coordinator_a)
    response = client.get(reverse("imports:export_persons", args=["csv"]))
    export = ExportFile.objects.get()
    assert response["Location"] == reverse("imports:export_status", args=[export.pk])
    assert (export.job.kind, export.job.status, export.job.counts) == ("imports.export", JobStatus.DONE, {"rows": 1})
    page = client.get(response["Location"]).content.decode()
    assert reverse("imports:export_download", args=[export.pk]) in page
    download = client.get(reverse("imports:export_download", args=[export.pk]))
    assert person_a.fiscal_code.encode() in download.content
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1
    other = client_for(cast.coordinator_b)
    for name in ("imports:export_status", "imports:export_download"):
        assert other.get(reverse(name, args=[export.pk])).status_code == 404
