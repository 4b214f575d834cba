"""The paths layout: history of job-inclusion paths with their real dates, through paths.services, from real files
(imports/tests/data), idempotent, every mistake reported, nothing half-saved, exported in the same layout."""

import datetime
from decimal import Decimal
from pathlib import Path as FilePath

import pytest
from django.db import transaction
from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_consent, make_person
from imports.choices import Entity, RowAction, RunStatus
from imports.models import SourceKey
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import marco_open_case, run_file
from imports.tests.test_services import errors_of
from paths.models import FollowUp, Path, PathChange

DATA = FilePath(__file__).resolve().parent / "data"
D = datetime.date


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rows_of(name: str) -> list[dict]:
    lines = data(name).decode("utf-8").splitlines()
    header = lines[0].split(";")
    return [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]


@pytest.fixture
def with_case(cast, persons):
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case(opened_on="01/02/2024")]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    return persons


def snapshot():
    return sorted(
        (p.person.fiscal_code, p.kind, p.host_id, p.title, p.starts_on, p.planned_end_on, p.status, p.ended_on,
         p.interruption_reason, p.job_end_reason, p.hours_per_week, p.days_per_week, p.host_tutor, p.service_tutor_id,
         p.beneficiary_category, p.monthly_indemnity, p.meal_vouchers, p.outcome_note,
         (p.case.unit_id, p.case.opened_on) if p.case else None)
        for p in Path.objects.select_related("person", "case")
    )  # fmt: skip


def test_a_good_file_of_paths_imports_with_its_real_dates_through_the_path_services(cast, with_case):
    run = run_file(cast.coordinator_a, Entity.PATHS, data("paths.csv"), "paths.csv")
    assert run.status == RunStatus.DONE and run.counts[RowAction.CREATE] == 3, errors_of(run)
    luisa, marco = with_case["1001"], with_case["1002"]
    internship = Path.objects.get(person=luisa, kind="internship")
    assert (internship.status, internship.starts_on, internship.ended_on, internship.planned_end_on) == (
        "completed", D(2019, 4, 1), D(2019, 9, 30), D(2019, 9, 30)
    )  # fmt: skip
    assert (internship.host, internship.organisation, internship.service_tutor) == (
        cast.company, cast.org_a, cast.operator_a
    )  # fmt: skip
    assert (internship.monthly_indemnity, internship.hours_per_week, internship.beneficiary_category) == (
        Decimal("500.00"), Decimal("20.0"), "disadvantaged"
    )  # fmt: skip
    assert internship.outcome_note == "Buone competenze di magazzino" and internship.host_tutor == "Paola Verdi"
    hiring = Path.objects.get(person=luisa, kind="hiring_fixed")
    assert (hiring.status, hiring.ended_on, hiring.interruption_reason, hiring.job_end_reason) == (
        "interrupted", D(2020, 3, 15), "person_choice", "resignation"
    )  # fmt: skip
    course = Path.objects.get(person=marco)
    assert (course.status, course.case, course.hours_per_week, course.days_per_week) == (
        "active", marco.cases.get(), Decimal("12.5"), 3
    )  # fmt: skip
    # The history is the interface's: planned on the start, active, then ended on the day of the file.
    steps = list(PathChange.objects.filter(path=internship).values_list("from_status", "to_status", "on"))
    assert steps == [("", "planned", D(2019, 4, 1)), ("planned", "active", D(2019, 4, 1)),
                     ("active", "completed", D(2019, 9, 30))]  # fmt: skip
    # Created, active, ended; and the hiring's checks of the past waived.
    assert AuditEvent.objects.filter(action=Action.PATH_SAVE).count() == 3 + 3 + 1 + 2
    # The hiring's checks are not left overdue: those after its end, and those before the import, are not needed.
    assert FollowUp.objects.filter(path=hiring).count() == 4
    assert not FollowUp.objects.filter(cancelled=False).exists()
    key = SourceKey.objects.get(entity=Entity.PATHS, source_id="P-1")
    assert (key.object_id, key.person, key.source_system) == (internship.pk, luisa, "SIAL")


def test_the_same_paths_from_a_workbook_with_date_cells(cast, with_case):
    rows = rows_of("paths.csv")
    run = run_file(cast.coordinator_a, Entity.PATHS, xlsx_bytes(rows, columns=list(rows[0]), typed=True), "p.xlsx")
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)
    assert Path.objects.get(kind="internship").starts_on == D(2019, 4, 1)


def test_importing_the_paths_again_changes_nothing(cast, with_case):
    run_file(cast.coordinator_a, Entity.PATHS, data("paths.csv"), "paths.csv")
    before = (snapshot(), list(Path.objects.values_list("pk", "version", "updated_at")), PathChange.objects.count())
    events = AuditEvent.objects.exclude(action__startswith="import.").count()
    again = run_file(cast.coordinator_a, Entity.PATHS, data("paths.csv"), "paths.csv")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)
    after = (snapshot(), list(Path.objects.values_list("pk", "version", "updated_at")), PathChange.objects.count())
    assert after == before
    assert AuditEvent.objects.exclude(action__startswith="import.").count() == events


MISTAKES = [
    (3, "kind", "“giardinaggio” is not a known value"),
    (4, "suspended_on", "The path is suspended: write the day it was suspended"),
    (5, "ended_on", "The path ends before it starts"),
    (6, "interruption_reason", "The path was interrupted: write why"),
    (7, "monthly_indemnity", "Only internships have a monthly indemnity"),
    (8, "host", "“Ditta Inesistente” is not an organisation of the network"),
    (9, "monthly_indemnity", ""),  # below Lombardy's minimum: the message of paths.rules
    (10, "person_source_id", "No person with this old id"),
    (11, "ended_on", "The date cannot be in the future"),
    (12, "hours_per_week", "70 is out of range"),
    (12, "days_per_week", "9 is out of range"),
    (12, "service_tutor", "is not the username of an operator"),
    (12, "meal_vouchers", "write sì or no"),
]


def test_a_file_with_mistakes_lists_each_and_saves_only_the_good_rows(cast, with_case):
    preview = run_file(cast.coordinator_a, Entity.PATHS, data("paths_mistakes.csv"), "paths.csv", commit=False)
    found = errors_of(preview)
    for line, column, message in MISTAKES:
        assert any(e[:2] == (line, column) and message in e[2] for e in found), (line, column, found)
    assert {e[0] for e in found} == set(range(3, 13))
    assert (preview.counts[RowAction.CREATE], preview.counts[RowAction.ERROR]) == (1, 10)
    assert not Path.objects.exists()
    from imports import services

    run = services.import_commit(actor=cast.coordinator_a, run=preview)
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, 10)
    assert list(Path.objects.values_list("kind", "starts_on")) == [("internship", D(2019, 4, 1))]
    assert SourceKey.objects.filter(entity=Entity.PATHS).count() == 1


def test_a_later_file_ends_an_open_path_and_changes_its_details(cast, with_case):
    run_file(cast.coordinator_a, Entity.PATHS, data("paths.csv"), "paths.csv")
    rows = rows_of("paths.csv")
    rows[2].update(status="interrotto", ended_on="30/04/2024", interruption_reason="salute", hours_per_week="10")
    run = run_file(cast.coordinator_a, Entity.PATHS, csv_bytes(rows, columns=list(rows[0])))
    assert run.counts[RowAction.UPDATE] == 1 and run.counts[RowAction.UNCHANGED] == 2, errors_of(run)
    course = Path.objects.get(kind="course")
    assert (course.status, course.ended_on, course.interruption_reason, course.hours_per_week) == (
        "interrupted", D(2024, 4, 30), "health", Decimal("10.0")
    )  # fmt: skip
    # An older file does not reopen it, and says why.
    again = run_file(cast.coordinator_a, Entity.PATHS, data("paths.csv"), "paths.csv")
    found = errors_of(again)
    assert any(e[:2] == (4, "status") and "an import does not change it back" in e[2] for e in found), found
    assert any(e[:2] == (4, "hours_per_week") and "The path has ended in Ponte" in e[2] for e in found), found
    assert Path.objects.get(kind="course").status == "interrupted"


def test_the_start_host_and_kind_of_an_existing_path_are_not_changed(cast, with_case):
    run_file(cast.coordinator_a, Entity.PATHS, data("paths.csv"), "paths.csv")
    rows = rows_of("paths.csv")[:1]
    rows[0]["source_id"] = "P-1"
    moved = [{**rows[0], "starts_on": "02/04/2019"}]
    run = run_file(cast.coordinator_a, Entity.PATHS, csv_bytes(moved, columns=list(rows[0])))
    [(_line, column, message)] = errors_of(run)
    assert column == "starts_on" and "Ponte has another value for this record (01/04/2019)" in message


def test_a_path_is_imported_only_by_an_organisation_that_treats_the_person(cast, with_case):
    shared = make_person(registered_by=cast.org_b)
    make_consent(person=shared, organisation=cast.org_a, recorded_by=cast.operator_b, sections=["contacts"])
    hidden = make_person(registered_by=cast.org_b)
    rows = [
        {**rows_of("paths.csv")[2], "person_source_id": "", "fiscal_code": person.fiscal_code, "source_id": old_id,
         "case_source_id": ""}
        for person, old_id in ((shared, "X-1"), (hidden, "X-2"))
    ]  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.PATHS, csv_bytes(rows, columns=list(rows[0])))
    found = errors_of(run)
    assert [e[:2] for e in found] == [(2, "fiscal_code"), (3, "fiscal_code")]
    assert "Your organisation does not treat this person" in found[0][2]
    assert "No person with this fiscal code" in found[1][2] and hidden.last_name not in found[1][2]
    assert not Path.objects.exists()
    other = run_file(cast.coordinator_b, Entity.PATHS, data("paths.csv"), "paths.csv", commit=False)
    assert other.counts[RowAction.ERROR] == 3 and not Path.objects.exists()


def test_only_coordinators_import_and_export_paths(cast, client_for):
    from django.core.exceptions import PermissionDenied

    from imports import services

    with pytest.raises(PermissionDenied):
        services.import_upload(actor=cast.operator_a, filename="p.csv", data=data("paths.csv"), entity="paths")
    assert client_for(cast.analyst).get(reverse("imports:export", args=["paths", "csv"])).status_code in (403, 404)


def test_the_paths_template_has_every_column_and_a_guide(cast, client_for):
    client = client_for(cast.coordinator_a)
    response = client.get(reverse("imports:entity_template", args=["paths", "xlsx"]))
    assert response.status_code == 200
    header = read_xlsx(response.content)[0]
    assert header == [line.split(";") for line in data("paths.csv").decode().splitlines()][0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_paths(cast, client_for, fmt):
    from imports.tests.test_cases import PERSONS

    client = client_for(cast.coordinator_a)
    point = transaction.savepoint()
    run_file(cast.coordinator_a, Entity.PERSONS, csv_bytes(PERSONS))
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case(opened_on="01/02/2024")]))
    run = run_file(cast.coordinator_a, Entity.PATHS, data("paths.csv"), "paths.csv")
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)
    Path.objects.filter(kind="course").update(title='=HYPERLINK("x")')  # a cell a spreadsheet would run
    before = snapshot()
    files = {}
    for entity, name, args in ((Entity.PERSONS, "imports:export_persons", [fmt]),
                               (Entity.CASES, "imports:export", ["cases", fmt]),
                               (Entity.PATHS, "imports:export", ["paths", fmt])):  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        files[entity] = response.content
    assert AuditEvent.objects.filter(action=Action.EXPORT, detail__entity="paths").count() == 1
    exported = files[Entity.PATHS].decode("utf-8-sig") if fmt == "csv" else str(read_xlsx(files[Entity.PATHS]))
    assert "'=HYPERLINK" in exported
    transaction.savepoint_rollback(point)
    assert not Path.objects.exists()
    for entity in (Entity.PERSONS, Entity.CASES, Entity.PATHS):
        run = run_file(cast.coordinator_a, entity, files[entity], f"export.{fmt}")
        assert run.counts.get(RowAction.ERROR) is None, errors_of(run)
    assert snapshot() == before
    again = run_file(cast.coordinator_a, Entity.PATHS, files[Entity.PATHS], f"export.{fmt}")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)


def test_a_recent_hiring_keeps_the_checks_still_to_come(cast, with_case):
    from django.utils import timezone

    start = timezone.localdate() - datetime.timedelta(days=45)
    row = {**rows_of("paths.csv")[1], "source_id": "P-9", "starts_on": start.strftime("%d/%m/%Y"), "status": "attivo",
           "ended_on": "", "interruption_reason": "", "planned_end_on": ""}  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.PATHS, csv_bytes([row], columns=list(row)))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    hiring = Path.objects.get()
    assert hiring.status == "active"
    assert sorted(hiring.follow_ups.filter(cancelled=False).values_list("months", flat=True)) == [3, 6, 12]
