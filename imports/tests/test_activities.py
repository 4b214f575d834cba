"""The activities layout: the operators' activities of the old registers through paths.services.activity_record,
recorded for the operator each row names (ADR 0026), attributed or not, idempotent, every mistake reported."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from imports.choices import Entity, RowAction
from imports.models import SourceKey
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import PERSONS, run_file
from imports.tests.test_events import arrange
from imports.tests.test_services import errors_of
from paths.models import Activity, Path

D = datetime.date
COLUMNS = ["source_system", "source_id", "person_source_id", "fiscal_code", "path_source_id", "operator",
           "performed_on", "minutes", "kind", "profession", "programme_code", "note"]  # fmt: skip


def row(source_id, **cells):
    return {"source_system": "SIAL", "source_id": source_id, **cells}


GOOD = [
    row("A-1", person_source_id="1001", path_source_id="P-1", operator="operator_a", performed_on="15/06/2019",
        minutes="45", kind="colloquio", profession="educatore", programme_code="tr106"),
    row("A-2", operator="coordinator_a", performed_on="03/07/2019", minutes="120", kind="riunione di rete",
        note="Tavolo con il Comune"),
    row("A-3", fiscal_code=PERSONS[1]["fiscal_code"], operator="operator_a", performed_on="01/03/2024",
        minutes="30", kind="visita in azienda"),
]  # fmt: skip


def good_file() -> bytes:
    return csv_bytes(GOOD, columns=COLUMNS)


@pytest.fixture
def history(cast):
    arrange(cast.coordinator_a)
    return cast.coordinator_a


def snapshot():
    return sorted(
        (a.person.fiscal_code if a.person else "", a.operator.username, a.performed_on, a.minutes, a.kind,
         a.profession, a.programme_code, a.note, a.organisation_id, (a.path.kind, a.path.starts_on) if a.path else ())
        for a in Activity.objects.select_related("person", "operator", "path")
    )  # fmt: skip


def test_a_good_file_records_each_activity_for_its_operator_attributed_or_not(cast, history):
    run = run_file(history, Entity.ACTIVITIES, good_file())
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)
    interview = Activity.objects.get(performed_on=D(2019, 6, 15))
    assert (interview.operator, interview.organisation, interview.kind, interview.minutes) == (
        cast.operator_a, cast.org_a, "interview", 45
    )  # fmt: skip
    assert interview.person.fiscal_code == PERSONS[0]["fiscal_code"]
    assert interview.path == Path.objects.get(kind="internship") and interview.programme_code == "TR106"
    assert interview.profession == "educator"
    # Not attributable, and over the year's 20% ceiling (1 of 2 in 2019): the past is recorded as it was.
    meeting = Activity.objects.get(performed_on=D(2019, 7, 3))
    assert (meeting.person, meeting.operator, meeting.kind, meeting.note) == (
        None, cast.coordinator_a, "network_meeting", "Tavolo con il Comune"
    )  # fmt: skip
    assert meeting.programme_code == "TR106" and meeting.profession == "other"  # from the account
    visit = Activity.objects.get(performed_on=D(2024, 3, 1))
    assert visit.person.fiscal_code == PERSONS[1]["fiscal_code"] and visit.kind == "company_visit"
    events = AuditEvent.objects.filter(action=Action.ACTIVITY_SAVE)
    assert events.count() == 3 and set(events.values_list("actor_id", flat=True)) == {history.pk}
    assert SourceKey.objects.filter(entity=Entity.ACTIVITIES).count() == 3


def test_importing_the_activities_again_changes_nothing_and_a_changed_one_is_an_error(cast, history):
    run_file(history, Entity.ACTIVITIES, good_file())
    before = (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count())
    again = run_file(history, Entity.ACTIVITIES, xlsx_bytes(GOOD, columns=COLUMNS), "a.xlsx")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)
    assert (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count()) == before
    changed = [dict(r) for r in GOOD]
    changed[0]["minutes"] = "50"
    run = run_file(history, Entity.ACTIVITIES, csv_bytes(changed, columns=COLUMNS))
    [(line, column, message)] = errors_of(run)
    assert (line, column) == (2, "minutes") and "Ponte has another value for this record (45)" in message
    assert snapshot() == before[0]


MISTAKES = [
    (row("B-1", operator="operator_a", performed_on="15/06/2019", minutes="45", kind="telefonata"), "kind",
     "“telefonata” is not a known value"),
    (row("B-2", operator="operator_a", performed_on="15/06/2019", minutes="700", kind="colloquio"), "minutes",
     "700 is out of range: write a number from 5 to 600"),
    (row("B-3", operator="operator_a", performed_on="15/06/2099", minutes="45", kind="colloquio"), "performed_on",
     "The date cannot be in the future"),
    (row("B-4", operator="m.rossi", performed_on="15/06/2019", minutes="45", kind="colloquio"), "operator",
     "is not the username of an operator, coordinator or clinician of your organisation"),
    (row("B-5", person_source_id="9999", operator="operator_a", performed_on="15/06/2019", minutes="45",
         kind="colloquio"), "person_source_id", "No person with this old id"),
    (row("B-6", path_source_id="P-1", operator="operator_a", performed_on="15/06/2019", minutes="45",
         kind="colloquio"), "path_source_id", "name the person too"),
    (row("B-7", person_source_id="1002", path_source_id="P-1", operator="operator_a", performed_on="15/06/2019",
         minutes="45", kind="colloquio"), "path_source_id", "No path of this person has this old id"),
    (row("B-8", operator="operator_a", minutes="45", kind="colloquio"), "performed_on", "Required: fill in this cell"),
    (row("A-1", operator="operator_a", performed_on="15/06/2019", minutes="45", kind="colloquio"), "source_id",
     "Row 2 has the same old id"),
]  # fmt: skip


def test_a_file_of_activities_with_mistakes_lists_each_and_saves_only_the_good_rows(cast, history):
    rows = [GOOD[0]] + [mistake for mistake, _column, _message in MISTAKES]
    preview = run_file(history, Entity.ACTIVITIES, csv_bytes(rows, columns=COLUMNS), commit=False)
    found = errors_of(preview)
    for line, (_row, column, message) in enumerate(MISTAKES, start=3):
        assert any(e[:2] == (line, column) and message in e[2] for e in found), (line, column, found)
    assert {e[0] for e in found} == set(range(3, 3 + len(MISTAKES)))
    from imports import services

    run = services.import_commit(actor=history, run=preview)
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, len(MISTAKES))
    assert list(Activity.objects.values_list("performed_on", "kind")) == [(D(2019, 6, 15), "interview")]


def test_another_organisation_cannot_import_activities_of_our_persons_or_operators(cast, persons):
    rows = [row("A-1", person_source_id="1001", operator="coordinator_b", performed_on="15/06/2019", minutes="45",
                kind="colloquio"),
            row("A-2", operator="operator_a", performed_on="15/06/2019", minutes="45", kind="colloquio")]  # fmt: skip
    run = run_file(cast.coordinator_b, Entity.ACTIVITIES, csv_bytes(rows, columns=COLUMNS))
    assert [(e[0], e[1]) for e in errors_of(run)] == [(2, "person_source_id"), (3, "operator")]
    assert not Activity.objects.exists()


def test_an_operator_does_not_import_and_aggregate_roles_export_no_activity(cast, client_for, history):
    run_file(history, Entity.ACTIVITIES, good_file())
    assert client_for(cast.operator_a).get(reverse("imports:export", args=["activities", "csv"])).status_code in (
        403, 404
    )  # fmt: skip
    from imports.exports import activities_for_export

    assert not activities_for_export(cast.analyst).exists()
    assert activities_for_export(history).count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_activities(cast, client_for, fmt):
    history = cast.coordinator_a
    client = client_for(history)
    point = transaction.savepoint()
    arrange(history)
    assert run_file(history, Entity.ACTIVITIES, good_file()).counts[RowAction.CREATE] == 3
    Activity.objects.create(organisation=cast.org_a, operator=cast.operator_a, profession="job_coach",
                            performed_on=D(2025, 1, 9), minutes=60, kind="coaching", note="=SOMMA(1;2)")  # fmt: skip
    before = snapshot()
    files = {}
    for entity in (Entity.PERSONS, Entity.CASES, Entity.PATHS, Entity.ACTIVITIES):
        name, args = (
            ("imports:export_persons", [fmt]) if entity == Entity.PERSONS else ("imports:export", [entity, fmt])
        )
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        files[entity] = response.content
    if fmt == "xlsx":
        exported = read_xlsx(files[Entity.ACTIVITIES])
        assert exported[0] == COLUMNS and any(r[-1] == "'=SOMMA(1;2)" for r in exported[1:])  # no formula
    transaction.savepoint_rollback(point)
    assert not Activity.objects.exists() and not Path.objects.exists()
    for entity in (Entity.PERSONS, Entity.CASES, Entity.PATHS, Entity.ACTIVITIES):
        run = run_file(history, entity, files[entity], f"export.{fmt}")
        assert run.counts.get(RowAction.ERROR) is None, (entity, errors_of(run))
    assert snapshot() == before
    again = run_file(history, Entity.ACTIVITIES, files[Entity.ACTIVITIES], f"export.{fmt}")
    assert again.counts[RowAction.UNCHANGED] == 4, errors_of(again)
