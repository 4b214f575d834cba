"""The import pages: who reaches them, upload, preview, commit, progress, report, templates and mappings."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Job, JobStatus
from imports.choices import RunStatus
from imports.layouts.persons import COLUMN_NAMES
from imports.models import CodeMapping, ImportRun
from imports.tests.files import csv_bytes, person_row, read_xlsx, xlsx_bytes
from people.models import Person

GOOD = [person_row(), person_row(source_id="1002", last_name="Colombo", first_name="Marco", sex="M")]
BAD = [person_row(), person_row(source_id="1002", last_name="Colombo", civil_invalidity_percent="120")]


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def upload(client, data: bytes, name: str = "persons.csv", **extra):
    return client.post(reverse("imports:home"), {"file": SimpleUploadedFile(name, data), **extra})


PAGES = [("imports:home", []), ("imports:mappings", []), ("imports:template", ["csv"]), ("imports:template", ["xlsx"])]


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize("who", ["operator_a", "clinician_a", "analyst", "company_referent", "sysadmin", "dpo"])
def test_only_coordinators_find_the_pages(cast, client_for, name, args, who):
    assert client_for(getattr(cast, who)).get(reverse(name, args=args)).status_code == 404


def test_another_organisations_import_is_a_404(cast, client_for):
    upload(client_for(cast.coordinator_a), csv_bytes(GOOD))
    run = ImportRun.objects.get()
    client = client_for(cast.coordinator_b)
    for name in ("imports:run", "imports:report"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert client.post(reverse("imports:commit", args=[run.pk])).status_code == 404
    assert not Person.objects.exists()


def test_upload_preview_then_commit(cast, client_for):
    client = client_for(cast.coordinator_a)
    response = upload(client, csv_bytes(BAD))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "120 is out of range: write a number from 0 to 100." in page
    assert 'data-count="create">1<' in page and 'data-count="error">1<' in page
    assert "Import 1 row" in page
    assert not Person.objects.exists()
    response = client.post(reverse("imports:commit", args=[run.pk]))
    assert response.status_code == 302
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Brivio"]
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "Result" in page and 'data-testid="commit"' not in page


def test_fixed_file_imports_the_rest_and_the_same_again_changes_nothing(cast, client_for):
    client = client_for(cast.coordinator_a)
    upload(client, csv_bytes(BAD))
    client.post(reverse("imports:commit", args=[ImportRun.objects.get().pk]))
    for expected in ({"create": 1, "unchanged": 1}, {"unchanged": 2}):
        upload(client, xlsx_bytes(GOOD), "fixed.xlsx")
        run = ImportRun.objects.order_by("pk").last()
        client.post(reverse("imports:commit", args=[run.pk]))
        run.refresh_from_db()
        assert {k: v for k, v in run.counts.items() if k not in ("rows", "notes")} == expected
    assert Person.objects.count() == 2


def test_a_malformed_file_gives_a_message_not_an_error_page(cast, client_for):
    client = client_for(cast.coordinator_a)
    response = upload(client, b"PK\x03\x04garbage", "persons.xlsx")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "The workbook cannot be opened" in page.content.decode()


def test_an_oversized_file_is_refused_on_the_form(cast, client_for, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(client_for(cast.coordinator_a), csv_bytes(GOOD * 1) + b" " * 2000)
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_large_files_run_as_tasks_with_a_job_and_progress(cast, client_for, settings):
    settings.IMPORT_INLINE_BYTES = 10  # every file counts as large: tasks run at once in tests (ImmediateBackend)
    client = client_for(cast.coordinator_a)
    upload(client, csv_bytes(GOOD))
    run = ImportRun.objects.get()
    assert run.status == RunStatus.PREVIEWED
    assert (run.job.kind, run.job.status, run.job.progress_done, run.job.progress_total) == (
        "imports.preview",
        JobStatus.DONE,
        2,
        2,
    )
    client.post(reverse("imports:commit", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.job.kind == "imports.commit" and run.job.percent == 100
    assert Person.objects.count() == 2 and Job.objects.count() == 2


def test_the_progress_bar_polls_while_the_job_runs(cast, client_for):
    client = client_for(cast.coordinator_a)
    upload(client, csv_bytes(GOOD))
    run = ImportRun.objects.get()
    run.job = Job.objects.create(
        kind="imports.commit",
        started_by=cast.coordinator_a,
        status=JobStatus.RUNNING,
        progress_done=1,
        progress_total=4,
    )
    run.save()
    partial = client.get(reverse("imports:run", args=[run.pk]), headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'aria-valuenow="25"' in body and "<html" not in body
    Job.objects.filter(pk=run.job.pk).update(status=JobStatus.DONE)
    done = client.get(reverse("imports:run", args=[run.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_report_downloads_as_csv_with_errors_by_row_and_column(cast, client_for):
    client = client_for(cast.coordinator_a)
    upload(client, csv_bytes(BAD))
    response = client.get(reverse("imports:report", args=[ImportRun.objects.get().pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert (
        "3;SIAL:1002;Colombo Luisa;error;civil_invalidity_percent;120 is out of range: write a number from 0 to 100."
        in lines
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_have_every_column(cast, client_for, fmt):
    response = client_for(cast.coordinator_a).get(reverse("imports:template", args=[fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        header = response.content.decode("utf-8-sig").strip().split(";")
    else:
        header = read_xlsx(response.content)[0]
    assert header == list(COLUMN_NAMES)


def test_mappings_page_adds_and_removes_a_mapping(cast, client_for):
    client = client_for(cast.coordinator_a)
    response = client.post(
        reverse("imports:mappings"), {"field": "diagnosis_group", "source_value": "Psicosi", "target": "F20-F29"}
    )
    assert response.status_code == 302
    mapping = CodeMapping.objects.get()
    assert (mapping.organisation, mapping.folded, mapping.target) == (cast.org_a, "psicosi", "F20-F29")
    bad = client.post(reverse("imports:mappings"), {"field": "sex", "source_value": "Psicosi", "target": "F20-F29"})
    assert bad.status_code == 400 and "Choose a value that Ponte knows for this column." in bad.content.decode()
    assert client_for(cast.coordinator_b).post(reverse("imports:mapping_delete", args=[mapping.pk])).status_code == 404
    client = client_for(cast.coordinator_a)
    client.post(reverse("imports:mapping_delete", args=[mapping.pk]))
    assert not CodeMapping.objects.exists()


def test_export_downloads(cast, client_for, person_a):
    response = client_for(cast.coordinator_a).get(reverse("imports:export_persons", args=["xlsx"]))
    rows = read_xlsx(response.content)
    assert rows[0] == list(COLUMN_NAMES) and rows[1][2] == person_a.fiscal_code
    assert io  # files are read from memory
