"""The events layout: hospitalisations and drop-outs of the past through paths.services, with the pages' rules on
who records a hospitalisation, from real files (imports/tests/data), idempotent, every mistake reported."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from cases.models import Case
from imports.choices import Entity, RowAction
from imports.models import SourceKey
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import PERSONS, marco_open_case, run_file
from imports.tests.test_paths import data, rows_of
from imports.tests.test_services import errors_of
from paths.models import Path, ProgrammeEvent

D = datetime.date


def arrange(user):
    """Persons, Marco's open case, and the paths of imports/tests/data/paths.csv."""
    for entity, content in ((Entity.PERSONS, csv_bytes(PERSONS)),
                            (Entity.CASES, csv_bytes([marco_open_case(opened_on="01/02/2024")])),
                            (Entity.PATHS, data("paths.csv"))):  # fmt: skip
        run = run_file(user, entity, content, "file.csv")
        assert run.counts.get(RowAction.ERROR) is None, errors_of(run)


@pytest.fixture
def history(clinical_coordinator):
    arrange(clinical_coordinator)
    return clinical_coordinator


def snapshot():
    return sorted(
        (e.person.fiscal_code, e.kind, e.occurred_on, e.ended_on, e.note, e.organisation_id,
         (e.path.kind, e.path.starts_on) if e.path else None)
        for e in ProgrammeEvent.objects.select_related("person", "path")
    )  # fmt: skip


def test_a_good_file_of_events_imports_with_the_pages_rules_and_its_dates(cast, history):
    run = run_file(history, Entity.EVENTS, data("events.csv"), "events.csv")
    assert run.counts[RowAction.CREATE] == 4, errors_of(run)
    hospital = ProgrammeEvent.objects.get(kind="hospitalisation", occurred_on=D(2019, 6, 12))
    assert (hospital.ended_on, hospital.note, hospital.path) == (
        D(2019, 7, 3), "Ricovero in SPDC", Path.objects.get(kind="internship")
    )  # fmt: skip
    assert hospital.organisation == cast.org_a and hospital.recorded_by == history
    # Marco's drop-out of 01/04/2024 ends what was running then: his case and his course, on that day.
    marco_case = Case.objects.get(person__fiscal_code=PERSONS[1]["fiscal_code"])
    assert (marco_case.closed_on, marco_case.closing_reason) == (D(2024, 4, 1), "drop_out")
    course = Path.objects.get(kind="course")
    assert (course.status, course.ended_on, course.interruption_reason) == ("interrupted", D(2024, 4, 1), "drop_out")
    # Luisa's drop-out of 2020 leaves her paths as the file of paths had them.
    assert Path.objects.get(kind="internship").status == "completed"
    assert AuditEvent.objects.filter(action=Action.PATH_EVENT).count() == 4
    assert SourceKey.objects.filter(entity=Entity.EVENTS).count() == 4


def test_importing_the_events_again_changes_nothing_and_a_later_file_adds_the_discharge(cast, history):
    run_file(history, Entity.EVENTS, data("events.csv"), "events.csv")
    before = (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count())
    again = run_file(history, Entity.EVENTS, data("events.csv"), "events.csv")
    assert again.counts[RowAction.UNCHANGED] == 4, errors_of(again)
    assert (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count()) == before
    rows = rows_of("events.csv")
    rows[3]["ended_on"] = "20/05/2024"
    discharged = run_file(history, Entity.EVENTS, xlsx_bytes(rows, columns=list(rows[0]), typed=True), "e.xlsx")
    assert discharged.counts[RowAction.UPDATE] == 1 and discharged.rows[3]["fields"] == ["ended_on"]
    assert ProgrammeEvent.objects.get(occurred_on=D(2024, 5, 5)).ended_on == D(2024, 5, 20)
    rows[3]["ended_on"] = "21/05/2024"
    changed = run_file(history, Entity.EVENTS, csv_bytes(rows, columns=list(rows[0])))
    [(line, column, message)] = errors_of(changed)
    assert (line, column) == (5, "ended_on") and "Ponte has the discharge on 20/05/2024" in message


MISTAKES = [
    (3, "kind", "“visita” is not a known value"),
    (4, "ended_on", "Only a hospitalisation has a discharge date"),
    (5, "ended_on", "The discharge is before the admission"),
    (6, "occurred_on", "The date cannot be in the future"),
    (7, "path_source_id", "No path of this person has this old id"),
    (8, "person_source_id", "No person with this old id"),
    (9, "kind", "Required: fill in this cell."),
    (10, "source_id", "Row 2 has the same old id"),
]


def test_a_file_of_events_with_mistakes_lists_each_and_saves_only_the_good_rows(cast, history):
    preview = run_file(history, Entity.EVENTS, data("events_mistakes.csv"), "events.csv", commit=False)
    found = errors_of(preview)
    for line, column, message in MISTAKES:
        assert any(e[:2] == (line, column) and message in e[2] for e in found), (line, column, found)
    assert {e[0] for e in found} == set(range(3, 11))
    from imports import services

    run = services.import_commit(actor=history, run=preview)
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, 8)
    assert list(ProgrammeEvent.objects.values_list("kind", "occurred_on")) == [("hospitalisation", D(2019, 6, 12))]


def test_a_coordinator_who_is_not_a_clinician_imports_drop_outs_but_not_hospitalisations(cast, persons):
    run = run_file(cast.coordinator_a, Entity.EVENTS, data("events.csv"), "events.csv")
    found = errors_of(run)
    assert [(e[0], e[1]) for e in found] == [(2, "kind"), (5, "kind")]
    assert all("recorded by a clinician of an organisation treating the person" in e[2] for e in found)
    assert list(ProgrammeEvent.objects.values_list("kind", flat=True)) == ["drop_out", "drop_out"]


def test_another_organisation_cannot_import_events_of_our_persons(cast, persons):
    run = run_file(cast.coordinator_b, Entity.EVENTS, data("events.csv"), "events.csv")
    assert run.counts[RowAction.ERROR] == 4 and not ProgrammeEvent.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_events(cast, client_for, clinical_coordinator, fmt):
    client = client_for(clinical_coordinator)
    point = transaction.savepoint()
    arrange(clinical_coordinator)
    assert run_file(clinical_coordinator, Entity.EVENTS, data("events.csv")).counts[RowAction.CREATE] == 4
    before = snapshot()
    files = {}
    for entity in (Entity.PERSONS, Entity.CASES, Entity.PATHS, Entity.EVENTS):
        name, args = (
            ("imports:export_persons", [fmt]) if entity == Entity.PERSONS else ("imports:export", [entity, fmt])
        )
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        files[entity] = response.content
    header = read_xlsx(files[Entity.EVENTS])[0] if fmt == "xlsx" else None
    assert header is None or header[:2] == ["source_system", "source_id"]
    transaction.savepoint_rollback(point)
    assert not ProgrammeEvent.objects.exists()
    for entity in (Entity.PERSONS, Entity.CASES, Entity.PATHS, Entity.EVENTS):
        run = run_file(clinical_coordinator, entity, files[entity], f"export.{fmt}")
        assert run.counts.get(RowAction.ERROR) is None, (entity, errors_of(run))
    assert snapshot() == before
    again = run_file(clinical_coordinator, Entity.EVENTS, files[Entity.EVENTS], f"export.{fmt}")
    assert again.counts[RowAction.UNCHANGED] == 4, errors_of(again)


def test_a_non_clinical_export_holds_no_hospitalisation(cast, client_for, history):
    run_file(history, Entity.EVENTS, data("events.csv"), "events.csv")
    response = client_for(cast.operator_a).get(reverse("imports:export", args=["events", "csv"]))
    assert response.status_code in (403, 404)  # operators do not export
    from accounts.models import Membership

    Membership.objects.filter(user=history, role="clinician").delete()
    history.__dict__.pop("_ponte_access", None)
    text = client_for(history).get(reverse("imports:export", args=["events", "csv"])).content.decode("utf-8-sig")
    assert "drop_out" in text and "hospitalisation" not in text
