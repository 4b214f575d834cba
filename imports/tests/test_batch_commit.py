"""The persons layout writes a batch's new persons and consents together: the outcome is the one of writing the
rows one by one, and when a row cannot go with the others the batch is written again row by row."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.choices import Action
from audit.models import AuditEvent
from imports import services
from imports.choices import RowAction, RunStatus
from imports.models import SourceKey
from imports.tests.files import csv_bytes, person_row
from imports.tests.test_services import errors_of, preview
from people.models import Consent, Person

SURNAMES = ["Brambilla", "Colombo", "Ferrari", "Galli", "Lombardi", "Mariani", "Pirovano", "Sala", "Villa", "Zanetti"]


def rows(count: int, start: int = 0) -> list[dict]:
    return [
        person_row(
            source_id=str(5000 + start + n),
            last_name=SURNAMES[n % len(SURNAMES)],
            first_name=["Anna", "Bruno", "Carla", "Dario", "Elena", "Fabio"][n // len(SURNAMES) % 6],
            sex=["F", "M", "F", "M", "F", "M"][n // len(SURNAMES) % 6],
            birth_date=f"{1 + n % 28:02d}/{1 + n % 12:02d}/{1960 + (start + n) % 40}",
            consent_statistics_given_on="05/05/2021",
            consent_statistics_withdrawn_on="06/06/2022" if n % 3 == 0 else "",
        )
        for n in range(count)
    ]


def test_a_batch_writes_persons_consents_keys_and_one_audit_event_each(cast):
    data = rows(12)
    run = services.import_commit(actor=cast.coordinator_a, run=preview(cast.coordinator_a, csv_bytes(data)))
    assert run.status == RunStatus.DONE and run.counts[RowAction.CREATE] == 12, run.rows
    assert Person.objects.count() == 12 and SourceKey.objects.count() == 12
    assert Consent.objects.filter(purpose="care").count() == 12
    assert Consent.objects.filter(purpose="statistics", withdrawn_on__isnull=False).count() == 4
    assert AuditEvent.objects.filter(action=Action.PERSON_CREATE).count() == 12
    assert AuditEvent.objects.filter(action=Action.CONSENT_GIVE).count() == 24
    assert AuditEvent.objects.filter(action=Action.CONSENT_WITHDRAW).count() == 4
    for person in Person.objects.all():
        assert SourceKey.objects.get(person=person).source_id.startswith("50")
        assert AuditEvent.objects.filter(action=Action.PERSON_CREATE, person_id=person.pk).count() == 1
    again = services.import_commit(actor=cast.coordinator_a, run=preview(cast.coordinator_a, csv_bytes(data)))
    assert again.counts[RowAction.UNCHANGED] == 12 and Person.objects.count() == 12


def test_the_queries_of_a_commit_do_not_grow_with_its_rows(cast):
    def queries(count: int, start: int) -> int:
        run = preview(cast.coordinator_a, csv_bytes(rows(count, start)))
        with CaptureQueriesContext(connection) as captured:
            done = services.import_commit(actor=cast.coordinator_a, run=run)
        assert done.counts[RowAction.CREATE] == count, done.rows
        return len(captured)

    small, large = queries(4, 0), queries(120, 100)
    # SQLite splits long inserts by its limit of variables per statement; row by row it would be ~30 a row.
    assert large <= small + 12, (small, large)


def test_a_row_refused_in_a_batch_leaves_the_others_written(cast):
    """The fiscal code of row 3 does not match its sex: the row is refused at commit as in the preview."""
    data = rows(4)
    data[1]["sex"] = "M" if data[1]["sex"] == "F" else "F"
    run = preview(cast.coordinator_a, csv_bytes(data))
    assert run.counts[RowAction.ERROR] == 1
    done = services.import_commit(actor=cast.coordinator_a, run=run)
    assert (done.counts[RowAction.CREATE], done.counts[RowAction.ERROR]) == (3, 1)
    assert [(line, column) for line, column, _m in errors_of(done)] == [(3, "sex")]
    assert not Person.objects.filter(last_name=data[1]["last_name"]).exists()
    assert Person.objects.count() == 3 and AuditEvent.objects.filter(action=Action.PERSON_CREATE).count() == 3


def test_two_new_persons_alike_in_one_batch_are_held_as_row_by_row(cast):
    """Written one by one, the second row would find the record the first created: it is held for review."""
    first = person_row(source_id="7001")
    second = person_row(source_id="7002", first_name="Luiza", fiscal_code=None)
    second.pop("fiscal_code")
    second = person_row(**second)
    other = rows(2, 500)
    done = services.import_commit(
        actor=cast.coordinator_a, run=preview(cast.coordinator_a, csv_bytes([first, second, *other]))
    )
    assert (done.counts[RowAction.CREATE], done.counts[RowAction.REVIEW]) == (3, 1), done.rows
    kept = Person.objects.get(first_name="Luisa")
    [(line, column, message)] = errors_of(done)
    assert (line, column) == (3, "fiscal_code") and str(kept.pk) in message
    assert not Person.objects.filter(first_name="Luiza").exists()


# ---------------------------------------------------------------------------------------------- paths


def test_new_paths_go_together_and_a_conversion_between_them_is_written_in_its_place(cast, persons):
    from imports.tests.test_paths_history import CONVERTED, HIRED, file, imported, row
    from paths.models import Path, PathChange

    courses = [row(f"K-{n}", kind="corso", starts_on=f"{n + 1:02d}/02/2019", status="concluso",
                   ended_on=f"{n + 1:02d}/03/2019") for n in range(6)]  # fmt: skip
    run = imported(cast, file(*courses[:3], CONVERTED, HIRED, *courses[3:]))
    assert run.counts[RowAction.CREATE] == 8, errors_of(run)
    hiring = Path.objects.get(kind="hiring_open")
    assert hiring.previous.status == "converted" and hiring.previous.ended_on == datetime.date(2019, 9, 30)
    assert Path.objects.filter(kind="course", status="completed").count() == 6
    assert PathChange.objects.filter(path__kind="course").count() == 18  # planned, active, completed
    assert AuditEvent.objects.filter(action=Action.PATH_SAVE, detail__created=True).count() == 7
    assert SourceKey.objects.filter(entity="paths").count() == 8
    again = imported(cast, file(*courses[:3], CONVERTED, HIRED, *courses[3:]))
    assert again.counts[RowAction.UNCHANGED] == 8, errors_of(again)


def test_a_host_without_room_refuses_the_second_internship_of_a_batch_as_row_by_row(cast, persons):
    from accounts.choices import OrganisationKind
    from accounts.models import Organisation
    from imports.tests.test_paths_history import file, imported, internship
    from opportunities.models import EmployerProfile
    from paths.models import Path

    shop = Organisation.objects.create(name="Bottega Piccola", kind=OrganisationKind.COMPANY)
    EmployerProfile.objects.create(organisation=shop, employees=3)  # one intern at a time
    first = internship("T-1", host="Bottega Piccola", status="concluso", ended_on="31/10/2019")
    second = internship("T-2", host="Bottega Piccola", starts_on="01/06/2019", planned_end_on="30/11/2019",
                        status="concluso", ended_on="30/11/2019")  # fmt: skip
    run = imported(cast, file(first, second))
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, 1), errors_of(run)
    [(line, column, message)] = errors_of(run)
    assert (line, column) == (3, "host") and "interns at once" in message
    assert list(Path.objects.values_list("starts_on", flat=True)) == [datetime.date(2019, 5, 1)]


def test_the_queries_of_a_paths_commit_do_not_grow_with_its_rows(cast, persons):
    from imports.tests.test_paths_history import file, imported, row

    def queries(count: int, year: int) -> int:
        starts = [datetime.date(year, 1, 1) + datetime.timedelta(days=n) for n in range(count)]
        rows = [
            row(f"Q-{year}-{n}", kind="corso", starts_on=f"{day:%d/%m/%Y}", status="concluso",
                ended_on=f"{day + datetime.timedelta(days=60):%d/%m/%Y}")
            for n, day in enumerate(starts)
        ]  # fmt: skip
        run = imported(cast, file(*rows), commit=False)
        with CaptureQueriesContext(connection) as captured:
            done = services.import_commit(actor=cast.coordinator_a, run=run)
        assert done.counts[RowAction.CREATE] == count, errors_of(done)
        return len(captured)

    small, large = queries(3, 2015), queries(90, 2017)
    assert large <= small + 12, (small, large)
