"""The employers layout: employers and their profiles through opportunities.services, from real files
(imports/tests/data), matched on the network's organisations, idempotent, every mistake reported."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Organisation
from audit.choices import Action
from audit.models import AuditEvent
from imports import services
from imports.choices import Entity, RowAction
from imports.models import SourceKey
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import run_file
from imports.tests.test_paths import data, rows_of
from imports.tests.test_services import errors_of
from opportunities.models import EmployerProfile


def snapshot():
    from opportunities.services import PROFILE_FIELDS

    return sorted(
        (p.organisation.name, p.organisation.kind, *(getattr(p, name) for name in PROFILE_FIELDS), p.law68_quota)
        for p in EmployerProfile.objects.select_related("organisation")
    )


def test_a_good_file_of_employers_gives_profiles_to_known_and_new_organisations(cast):
    run = run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)
    known = EmployerProfile.objects.get(organisation=cast.company)  # matched by name, not created twice
    assert (known.ateco_division, known.employees, known.computable_employees, known.law68_covered) == (
        "52",
        120,
        100,
        3,
    )
    assert (known.municipio, known.website, known.email, known.law68_quota) == (
        9, "https://www.example.it", "hr@example.it", 7
    )  # fmt: skip
    coop = EmployerProfile.objects.get(organisation__name="Cooperativa Sociale Il Giardino")
    assert (coop.organisation.kind, coop.social_coop_type, coop.municipio) == ("social_coop", "B", 4)
    assert Organisation.objects.get(name="Ente di Formazione Esempio").kind == "training_body"
    assert AuditEvent.objects.filter(action=Action.EMPLOYER_SAVE).count() == 3
    assert SourceKey.objects.get(entity=Entity.EMPLOYERS, source_id="AZ-1").object_id == known.pk


def test_importing_the_employers_again_changes_nothing_and_a_corrected_file_changes_what_it_corrects(cast):
    run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    before = (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count())
    again = run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)
    assert (snapshot(), AuditEvent.objects.exclude(action__startswith="import.").count()) == before
    rows = rows_of("employers.csv")
    rows[1]["employees"] = "40"
    corrected = run_file(cast.coordinator_a, Entity.EMPLOYERS, xlsx_bytes(rows, columns=list(rows[0])), "e.xlsx")
    assert corrected.counts[RowAction.UPDATE] == 1 and corrected.rows[1]["fields"] == ["employees"]
    assert EmployerProfile.objects.get(organisation__name="Cooperativa Sociale Il Giardino").employees == 40


def test_a_change_made_in_ponte_is_kept_when_the_old_file_comes_again(cast):
    from opportunities.services import employer_update

    run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    profile = EmployerProfile.objects.get(organisation=cast.company)
    employer_update(actor=cast.operator_a, employer=profile, version=profile.version, employees=150)
    again = run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)
    assert EmployerProfile.objects.get(organisation=cast.company).employees == 150


MISTAKES = [
    (3, "name", "Required: fill in this cell."),
    (4, "kind", "“negozio” is not a known value"),
    (5, "social_coop_type", "Only social cooperatives have a type A or B"),
    (6, "ateco_division", "is not an ATECO 2007 division"),
    (7, "employees", "is not a number"),
    (8, "computable_employees", "cannot exceed the headcount"),
    (9, "municipio", "is not a Milan municipio"),
    (10, "email", "is not an e-mail address"),
    (11, "name", "is an organisation of the network that is not an employer"),
    (12, "name", "Row 2 has the same employer"),
]


def test_a_file_of_employers_with_mistakes_lists_each_and_saves_only_the_good_rows(cast):
    preview = run_file(cast.coordinator_a, Entity.EMPLOYERS, data("employers_mistakes.csv"), "e.csv", commit=False)
    found = errors_of(preview)
    for line, column, message in MISTAKES:
        assert any(e[:2] == (line, column) and message in e[2] for e in found), (line, column, found)
    assert {e[0] for e in found} == set(range(3, 13))
    run = services.import_commit(actor=cast.coordinator_a, run=preview)
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, 10)
    assert list(EmployerProfile.objects.values_list("organisation__name", flat=True)) == ["Esempio Logistica S.p.A."]
    assert not Organisation.objects.filter(name__startswith="Ditta").exists()


def test_only_scouting_staff_import_employers(cast):
    from accounts.choices import Role
    from core.testing.cast import make_user

    cps_coordinator = make_user("coordinator_cps", cast.cps_a, Role.COORDINATOR)
    run = run_file(cps_coordinator, Entity.EMPLOYERS, data("employers.csv"), "employers.csv")
    assert run.counts[RowAction.ERROR] == 3 and "imported by scouting staff" in errors_of(run)[0][2]
    assert not EmployerProfile.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_employers(cast, client_for, fmt):
    client = client_for(cast.coordinator_a)
    point = transaction.savepoint()
    rows = rows_of("employers.csv")
    rows[2]["needs"] = "=1+1"  # a cell a spreadsheet would run
    run_file(cast.coordinator_a, Entity.EMPLOYERS, csv_bytes(rows, columns=list(rows[0])))
    before = snapshot()
    response = client.get(reverse("imports:export", args=["employers", fmt]))
    assert response.status_code == 200
    exported = response.content.decode("utf-8-sig") if fmt == "csv" else str(read_xlsx(response.content))
    assert "'=1+1" in exported
    transaction.savepoint_rollback(point)
    assert not EmployerProfile.objects.exists()
    run = run_file(cast.coordinator_a, Entity.EMPLOYERS, response.content, f"export.{fmt}")
    assert run.counts[RowAction.CREATE] == 3, errors_of(run)
    assert snapshot() == before
    again = run_file(cast.coordinator_a, Entity.EMPLOYERS, response.content, f"export.{fmt}")
    assert again.counts[RowAction.UNCHANGED] == 3, errors_of(again)
