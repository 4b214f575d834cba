"""The assessments layout: completed assessments of an old system through assessments.services, with their dates,
the instrument's roles and the clinical items for clinicians only, from real files (imports/tests/data)."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from assessments.loader import load_instruments
from assessments.models import Assessment
from audit.choices import Action
from audit.models import AuditEvent
from imports import services
from imports.choices import Entity, RowAction
from imports.models import SourceKey
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import PERSONS, run_file
from imports.tests.test_paths import data
from imports.tests.test_services import errors_of
from plans.vocabulary import load_vocabulary

D = datetime.date


@pytest.fixture(autouse=True)
def instruments(db):
    load_vocabulary()
    load_instruments()


def rows_of(name: str) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data(name).decode("utf-8")), delimiter=";"))


def snapshot():
    return sorted(
        (a.person.fiscal_code, a.instrument_version.instrument.code, a.instrument_version.number, a.assessed_on,
         a.status, sorted(a.answers.items()), str(a.total), a.band, a.organisation_id)
        for a in Assessment.objects.select_related("person", "instrument_version__instrument")
    )  # fmt: skip


def test_a_good_file_of_assessments_is_completed_with_its_dates_and_scores(cast, persons):
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, data("assessments.csv"), "assessments.csv")
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)
    first, second = Assessment.objects.filter(person=persons["1001"]).order_by("assessed_on")
    assert (first.assessed_on, first.status, first.author, first.organisation) == (
        D(2018, 3, 15), "completed", cast.coordinator_a, cast.org_a
    )  # fmt: skip
    assert first.answers["ss_conflicts"] == "2" and first.total is not None and first.band
    assert second.total > first.total  # better answers, higher score
    assert Assessment.objects.get(person=persons["1002"]).instrument_version.instrument.code == "employability"
    actions = list(AuditEvent.objects.filter(action__startswith="assessment.").values_list("action", flat=True))
    assert actions.count(Action.ASSESSMENT_SAVE) == 3 and actions.count(Action.ASSESSMENT_COMPLETE) == 3
    assert SourceKey.objects.filter(entity=Entity.ASSESSMENTS).count() == 3


def test_importing_the_assessments_again_changes_nothing(cast, persons):
    run_file(cast.coordinator_a, Entity.ASSESSMENTS, data("assessments.csv"), "assessments.csv")
    before = (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count())
    rows = rows_of("assessments.csv")
    again = run_file(cast.coordinator_a, Entity.ASSESSMENTS, xlsx_bytes(rows, columns=list(rows[0])), "a.xlsx")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)
    assert (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count()) == before
    rows[0]["answers"] = rows[0]["answers"].replace("wh_experience=3", "wh_experience=1")
    changed = run_file(cast.coordinator_a, Entity.ASSESSMENTS, csv_bytes(rows, columns=list(rows[0])))
    [(line, column, message)] = errors_of(changed)
    assert (line, column) == (2, "answers") and "an import does not change its answers" in message


MISTAKES = [
    (3, "instrument_version", "Ponte has no version 1 of the instrument “funzionamento”"),
    (4, "instrument_version", "Ponte has no version 7"),
    (5, "answers", "wh_recent: Choose one of the options."),
    (6, "answers", "ws_tasks: This item is required"),
    (7, "answers", "xx_unknown is not an item of this instrument version"),
    (8, "answers", "cl_stability is a clinical item"),
    (9, "assessed_on", "The date cannot be in the future"),
    (10, "answers", "write each answer as item=value"),
    (11, "person_source_id", "No person with this old id"),
]


def test_a_file_of_assessments_with_mistakes_lists_each_and_saves_only_the_good_rows(cast, persons):
    preview = run_file(cast.coordinator_a, Entity.ASSESSMENTS, data("assessments_mistakes.csv"), "a.csv", commit=False)
    found = errors_of(preview)
    for line, column, message in MISTAKES:
        assert any(e[:2] == (line, column) and message in e[2] for e in found), (line, column, found)
    assert {e[0] for e in found} == set(range(3, 12))
    run = services.import_commit(actor=cast.coordinator_a, run=preview)
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, 9)
    assert Assessment.objects.count() == 1 and not Assessment.objects.filter(status="draft").exists()


def test_a_clinician_imports_the_clinical_items(cast, persons, clinical_coordinator):
    row = rows_of("assessments.csv")[0]
    row["answers"] += "; cl_stability=1; cl_admissions=2"
    run = run_file(clinical_coordinator, Entity.ASSESSMENTS, csv_bytes([row], columns=list(row)))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    assert Assessment.objects.get().answers["cl_admissions"] == 2


def test_another_organisation_cannot_import_assessments_of_our_persons(cast, persons):
    run = run_file(cast.coordinator_b, Entity.ASSESSMENTS, data("assessments.csv"), "assessments.csv")
    assert run.counts[RowAction.ERROR] == 3 and not Assessment.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_assessments(cast, client_for, fmt):
    client = client_for(cast.coordinator_a)
    point = transaction.savepoint()
    run_file(cast.coordinator_a, Entity.PERSONS, csv_bytes(PERSONS))
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, data("assessments.csv"), "assessments.csv")
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)
    before = snapshot()
    files = {}
    for entity, name, args in ((Entity.PERSONS, "imports:export_persons", [fmt]),
                               (Entity.ASSESSMENTS, "imports:export", ["assessments", fmt])):  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        files[entity] = response.content
    if fmt == "xlsx":
        assert read_xlsx(files[Entity.ASSESSMENTS])[0][-1] == "answers"
    transaction.savepoint_rollback(point)
    assert not Assessment.objects.exists()
    for entity in (Entity.PERSONS, Entity.ASSESSMENTS):
        run = run_file(cast.coordinator_a, entity, files[entity], f"export.{fmt}")
        assert run.counts.get(RowAction.ERROR) is None, (entity, errors_of(run))
    assert snapshot() == before
    again = run_file(cast.coordinator_a, Entity.ASSESSMENTS, files[Entity.ASSESSMENTS], f"export.{fmt}")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)
