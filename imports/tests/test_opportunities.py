"""The opportunities layout: the catalogue of an old platform through opportunities.services, from real files
(imports/tests/data), at employers of the network, idempotent, every mistake reported."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from imports import services
from imports.choices import Entity, RowAction
from imports.models import SourceKey
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import run_file
from imports.tests.test_paths import data, rows_of
from imports.tests.test_services import errors_of
from opportunities.models import Opportunity

D = datetime.date


@pytest.fixture
def employers(cast):
    run = run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)


def snapshot():
    from opportunities.services import OPPORTUNITY_FIELDS

    def cell(opportunity, name):
        if name == "employer":
            return opportunity.employer.organisation.name if opportunity.employer_id else ""
        return str(getattr(opportunity, name))

    return sorted(
        (*(cell(o, name) for name in OPPORTUNITY_FIELDS), o.organisation_id)
        for o in Opportunity.objects.select_related("employer__organisation")
    )


def test_a_good_file_of_opportunities_is_published_by_the_importers_organisation(cast, employers):
    run = run_file(cast.coordinator_a, Entity.OPPORTUNITIES, data("opportunities.csv"), "opportunities.csv")
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    internship = Opportunity.objects.get(kind="internship")
    assert (internship.organisation, internship.employer.organisation, internship.status) == (
        cast.org_a, cast.company, "closed"
    )  # fmt: skip
    assert (internship.days, internship.required_skills, internship.hours_per_week, internship.seats) == (
        [1, 3, 5], ["ts_reliability", "ts_teamwork"], 20, 2
    )  # fmt: skip
    assert (internship.starts_on, internship.ends_on, internship.contract_type) == (
        D(2019, 4, 1), D(2019, 9, 30), "internship"
    )  # fmt: skip
    course = Opportunity.objects.get(kind="course")
    assert (course.employer, course.status, course.skills_taught, course.days) == (
        None,
        "open",
        ["digital_basic"],
        [2, 4],
    )
    assert AuditEvent.objects.filter(action=Action.OPPORTUNITY_SAVE).count() == 2
    assert SourceKey.objects.get(entity=Entity.OPPORTUNITIES, source_id="OP-1").object_id == internship.pk


def test_importing_the_opportunities_again_changes_nothing_and_a_corrected_file_changes_what_it_corrects(
    cast, employers
):
    run_file(cast.coordinator_a, Entity.OPPORTUNITIES, data("opportunities.csv"), "opportunities.csv")
    before = (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count())
    again = run_file(cast.coordinator_a, Entity.OPPORTUNITIES, data("opportunities.csv"), "opportunities.csv")
    assert again.counts[RowAction.UNCHANGED] == 2, errors_of(again)
    assert (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count()) == before
    rows = rows_of("opportunities.csv")
    rows[1].update(seats="15", status="chiusa")
    corrected = run_file(cast.coordinator_a, Entity.OPPORTUNITIES, xlsx_bytes(rows, columns=list(rows[0])), "o.xlsx")
    assert corrected.counts[RowAction.UPDATE] == 1, errors_of(corrected)
    assert corrected.rows[1]["fields"] == ["seats", "status"]
    assert Opportunity.objects.filter(kind="course", seats=15, status="closed").exists()


MISTAKES = [
    (3, "employer", "“Ditta Inesistente” is not an employer of the network"),
    (4, "kind", "“stage estivo” is not a known value"),
    (5, "title", "Required: fill in this cell."),
    (6, "days", "“festivo” is not a day of the week"),
    (7, "required_skills", "“volare” is not a skill of the shared vocabulary"),
    (8, "ends_on", "The end cannot come before the start"),
    (9, "status", "The opportunity has ended: write closed"),
    (10, "skills_taught", "Only a training course teaches skills"),
    (11, "occupation_code", "“ABC” is not an ISCO-08 group"),
    (12, "hours_per_week", "80 is out of range"),
    (13, "desired_skills", "A skill is either required or desired, not both"),
]


def test_a_file_of_opportunities_with_mistakes_lists_each_and_saves_only_the_good_rows(cast, employers):
    preview = run_file(
        cast.coordinator_a, Entity.OPPORTUNITIES, data("opportunities_mistakes.csv"), "o.csv", commit=False
    )
    found = errors_of(preview)
    for line, column, message in MISTAKES:
        assert any(e[:2] == (line, column) and message in e[2] for e in found), (line, column, found)
    assert {e[0] for e in found} == set(range(3, 14))
    run = services.import_commit(actor=cast.coordinator_a, run=preview)
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, 11)
    assert list(Opportunity.objects.values_list("title", flat=True)) == ["Addetto al magazzino"]


def test_only_publishers_import_opportunities(cast, employers):
    from accounts.choices import Role
    from core.testing.cast import make_user

    cps_coordinator = make_user("coordinator_cps", cast.cps_a, Role.COORDINATOR)
    run = run_file(cps_coordinator, Entity.OPPORTUNITIES, data("opportunities.csv"), "o.csv")
    assert run.counts[RowAction.ERROR] == 2 and "published by scouting staff" in errors_of(run)[0][2]
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_opportunities(cast, client_for, fmt):
    client = client_for(cast.coordinator_a)
    point = transaction.savepoint()
    run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    rows = rows_of("opportunities.csv")
    rows[0]["description"] = "@SUM(A1)"  # a cell a spreadsheet would run
    run = run_file(cast.coordinator_a, Entity.OPPORTUNITIES, csv_bytes(rows, columns=list(rows[0])))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    before = snapshot()
    files = {}
    for entity in (Entity.EMPLOYERS, Entity.OPPORTUNITIES):
        response = client.get(reverse("imports:export", args=[entity, fmt]))
        assert response.status_code == 200
        files[entity] = response.content
    text = (
        files[Entity.OPPORTUNITIES].decode("utf-8-sig") if fmt == "csv" else str(read_xlsx(files[Entity.OPPORTUNITIES]))
    )
    assert "'@SUM(A1)" in text
    transaction.savepoint_rollback(point)
    assert not Opportunity.objects.exists()
    for entity in (Entity.EMPLOYERS, Entity.OPPORTUNITIES):
        run = run_file(cast.coordinator_a, entity, files[entity], f"export.{fmt}")
        assert run.counts.get(RowAction.ERROR) is None, (entity, errors_of(run))
    assert snapshot() == before
    again = run_file(cast.coordinator_a, Entity.OPPORTUNITIES, files[Entity.OPPORTUNITIES], f"export.{fmt}")
    assert again.counts[RowAction.UNCHANGED] == 2, errors_of(again)
