"""Exports of cases and referrals: in their layouts, only what the user sees, importable again without loss."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from cases.models import Case, Referral
from core.testing.cast import make_case, make_person
from imports import exports
from imports.choices import Entity, RowAction
from imports.tests.files import case_row, csv_bytes, person_row, referral_row
from imports.tests.test_cases import PERSONS, marco_open_case, run_file
from imports.tests.test_services import errors_of


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def arrange(user):
    sharing = {
        "consent_sharing_with": "ASST Niguarda",
        "consent_sharing_sections": "contacts",
        "consent_sharing_given_on": "01/06/2021",
    }
    persons = [PERSONS[0], {**PERSONS[1], **sharing}]
    cases = [case_row(closing_note='=HYPERLINK("x")'), marco_open_case()]
    referrals = [
        referral_row(),
        referral_row(source_id="R-3", sent_on="02/02/2016", status="rifiutata", decided_on="09/02/2016",
                     rejection_reason="-posti esauriti"),
        referral_row(source_id="R-4", person_source_id="1002", from_unit="Polo Lavoro Sacco",
                     to_unit="Polo Lavoro Niguarda", sent_on="05/05/2023", status="sent", decided_on=""),
    ]  # fmt: skip
    for entity, rows in ((Entity.PERSONS, persons), (Entity.CASES, cases), (Entity.REFERRALS, referrals)):
        run = run_file(user, entity, csv_bytes(rows))
        assert run.counts.get(RowAction.ERROR) is None, errors_of(run)


def snapshot():
    def day(moment):
        return timezone.localtime(moment).date() if moment else None

    cases = sorted(
        (c.person.fiscal_code, c.unit_id, c.area, c.case_manager_id, c.opened_on, c.closed_on, c.closing_reason,
         c.closing_note, c.status)
        for c in Case.objects.select_related("person")
    )  # fmt: skip
    referrals = sorted(
        (r.person.fiscal_code, r.from_unit_id, r.to_unit_id, r.area, r.reason, day(r.sent_at), r.status,
         day(r.decided_at), r.rejection_reason, day(r.withdrawn_at), r.consent.purpose, r.consent.given_on,
         (r.case.unit_id, r.case.opened_on) if r.case else None)
        for r in Referral.objects.select_related("person", "consent", "case")
    )  # fmt: skip
    return cases, referrals


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_ponte_gives_the_same_cases_and_referrals(cast, client_for, fmt):
    client = client_for(cast.coordinator_a)
    point = transaction.savepoint()
    arrange(cast.coordinator_a)
    before = snapshot()
    assert len(before[0]) == 2 + 1 and len(before[1]) == 3  # the accepted referral opened a third case
    files = {}
    for entity, name in ((Entity.PERSONS, "imports:export_persons"), (Entity.CASES, "imports:export"),
                         (Entity.REFERRALS, "imports:export")):  # fmt: skip
        args = [fmt] if entity == Entity.PERSONS else [entity, fmt]
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        files[entity] = response.content
    transaction.savepoint_rollback(point)
    assert not Case.objects.exists() and not Referral.objects.exists()
    for entity in (Entity.PERSONS, Entity.CASES, Entity.REFERRALS):
        run = run_file(cast.coordinator_a, entity, files[entity], f"{entity}.{fmt}")
        assert run.counts.get(RowAction.ERROR) is None, errors_of(run)
    assert snapshot() == before
    for entity in (Entity.PERSONS, Entity.CASES, Entity.REFERRALS):
        run = run_file(cast.coordinator_a, entity, files[entity], f"{entity}.{fmt}")
        assert set(run.counts) & {RowAction.CREATE, RowAction.UPDATE, RowAction.ERROR} == set(), errors_of(run)
    assert snapshot() == before


def test_case_and_referral_exports_hold_only_what_the_user_sees(cast):
    arrange(cast.coordinator_a)
    other = make_person(registered_by=cast.org_b)
    make_case(person=other, unit=cast.unit_b)
    mine = list(exports.export_case_rows(cast.coordinator_a))
    assert len(mine) == 1 + 3 and other.fiscal_code not in str(mine)
    theirs = list(exports.export_case_rows(cast.coordinator_b))
    assert len(theirs) == 2 and theirs[1][3] == other.fiscal_code
    # B received one referral from A: it sees that one only.
    received = list(exports.export_referral_rows(cast.coordinator_b))
    assert len(received) == 2 and received[1][7] == "Polo Lavoro Niguarda"
    assert list(exports.export_case_rows(cast.analyst))[1:] == []
    assert list(exports.export_referral_rows(cast.analyst))[1:] == []


def test_exports_are_audited_defused_and_for_coordinators(cast, client_for):
    arrange(cast.coordinator_a)
    content = client_for(cast.coordinator_a).get(reverse("imports:export", args=["cases", "csv"])).content
    assert '\'=HYPERLINK(""x"")' in content.decode("utf-8-sig")
    assert AuditEvent.objects.get(action=Action.EXPORT).detail == {"entity": "cases", "format": "csv", "rows": 3}
    for who in ("operator_a", "analyst", "sysadmin"):
        assert (
            client_for(getattr(cast, who)).get(reverse("imports:export", args=["referrals", "csv"])).status_code == 404
        )
    assert client_for(cast.coordinator_a).get(reverse("imports:export", args=["nothing", "csv"])).status_code == 404


def test_a_large_case_export_runs_as_a_task(cast, client_for, settings):
    settings.EXPORT_INLINE_ROWS = 0
    arrange(cast.coordinator_a)
    client = client_for(cast.coordinator_a)
    response = client.get(reverse("imports:export", args=["referrals", "xlsx"]))
    assert response.status_code == 302
    from imports.models import ExportFile

    export = ExportFile.objects.get()
    assert (export.entity, export.rows) == ("referrals", 3)
    download = client.get(reverse("imports:export_download", args=[export.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="ponte-referrals-')


@pytest.mark.parametrize("entity", ["cases", "referrals"])
def test_templates_of_the_layouts_download_with_their_guide(cast, client_for, entity):
    from imports.handlers import handler_for
    from imports.tests.files import read_xlsx

    client = client_for(cast.coordinator_a)
    csv_content = client.get(reverse("imports:entity_template", args=[entity, "csv"])).content.decode("utf-8-sig")
    assert csv_content.strip().split(";") == list(handler_for(entity).column_names)
    xlsx = client.get(reverse("imports:entity_template", args=[entity, "xlsx"])).content
    assert read_xlsx(xlsx)[0] == list(handler_for(entity).column_names)
    assert client_for(cast.operator_a).get(reverse("imports:entity_template", args=[entity, "csv"])).status_code == 404


def test_upload_a_cases_file_on_the_page(cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    run_file(cast.coordinator_a, Entity.PERSONS, csv_bytes([person_row()]))
    client = client_for(cast.coordinator_a)
    data = csv_bytes([case_row(), case_row(source_id="C-9", area="golf")])
    response = client.post(reverse("imports:home"), {"entity": "cases", "file": SimpleUploadedFile("c.csv", data)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "“golf” is not a known value" in page and 'data-count="create">1<' in page
    client.post(response["Location"] + "commit/")
    assert Case.objects.get().closed_on == datetime.date(2017, 6, 30)


def test_the_command_imports_cases(cast, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    run_file(cast.coordinator_a, Entity.PERSONS, csv_bytes([person_row()]))
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([case_row()]))
    out = StringIO()
    call_command("import_legacy", "cases", str(path), "--user", "coordinator_a", "--commit", stdout=out)
    assert "create: 1" in out.getvalue() and Case.objects.count() == 1
