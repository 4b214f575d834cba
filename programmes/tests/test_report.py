"""The annual report: started from the programme, built as a background job with progress, downloaded as PDF
(read back with pypdf) and XLSX (read back with openpyxl) by its requester only, suppressed for aggregate roles,
and safe against formula injection."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.choices import Action
from audit.models import AuditEvent
from core.models import Job, JobStatus
from programmes import report as reports
from programmes.models import ProgrammeReport
from programmes.tests.arrange_reports import build_programme, candidates, manual_value, three_territories

D = datetime.date


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def programme(cast):
    programme = build_programme(
        cast, title='=HYPERLINK("http://example.org","clic")', action_title="+SUM(A1:A9) tirocini in azienda"
    )
    candidates(cast.unit_a, 6, opened=D(2025, 1, 10), closed=D(2025, 3, 20))
    candidates(cast.unit_a, 2, opened=D(2025, 4, 5))
    manual_value(cast, programme, on=D(2025, 5, 1), value=3)
    return programme


def pdf_text(content: bytes) -> str:
    """The PDF's text with every run of white space as one space (table cells wrap lines)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def sheet_rows(book, title: str) -> list[list]:
    return [[c.value for c in row] for row in book[title].iter_rows()]


def start(client, *, year="2025", territory=""):
    return client.post("/programmes/prova-report/report/", {"year": year, "territory": territory})


def test_a_coordinator_starts_the_report_follows_it_and_downloads_pdf_and_xlsx(cast, programme, client_for):
    client = client_for(cast.coordinator_a)
    form = client.get("/programmes/prova-report/report/")
    assert form.status_code == 200 and 'name="year"' in form.content.decode()
    assert "/programmes/prova-report/report/" in client.get("/programmes/prova-report/").content.decode()

    north = three_territories(cast)["north"]  # organisation A's own territory: exact figures
    response = start(client, territory=north.pk)
    report = ProgrammeReport.objects.get(requested_by=cast.coordinator_a)
    assert not report.suppressed
    assert response.status_code == 302 and response["Location"] == f"/programmes/reports/{report.pk}/"
    job = report.job
    assert job.kind == "programmes.report" and job.status == JobStatus.DONE and job.percent == 100
    # The indicators, then the 8 quarters since the programme started (2024) for each, then the two files.
    assert job.progress_total == 2 + 2 * 8 + 2
    assert job.progress_done == job.progress_total

    page = client.get(f"/programmes/reports/{report.pk}/")
    assert page.status_code == 200
    assert (
        'data-testid="download-pdf"' in page.content.decode() and 'data-testid="download-xlsx"' in page.content.decode()
    )

    pdf = client.get(f"/programmes/reports/{report.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    text = pdf_text(pdf.content)
    assert "annual report 2025" in text and "Territory: ASST Nord" in text
    assert "Aumentare l'occupazione delle persone in carico" in text  # the objective
    assert "Candidati seguiti nel periodo" in text and "Riunioni di rete tenute" in text  # the indicators
    assert "Convenzioni firmate" in text and "ASST Fatebenefratelli Sacco" in text  # milestone, responsible org
    assert "Area lavoro" in text and "12,500.00" in text  # the budget
    assert "Q1 2025" in text and "Q4 2025" in text  # the trend tables under the charts

    xlsx = client.get(f"/programmes/reports/{report.pk}/report.xlsx")
    assert xlsx.status_code == 200
    book = workbook(xlsx.content)
    assert book.sheetnames == ["Report", "Indicators", "Objectives", "Actions", "Milestones", "Budget", "Trends"]
    indicators = {row[0]: row for row in sheet_rows(book, "Indicators")[1:]}
    assert indicators["RIUN"][3] == "3" and indicators["RIUN"][10] == "Off track"
    assert sheet_rows(book, "Actions")[1][4] == "ASST Fatebenefratelli Sacco"
    trends = [row for row in sheet_rows(book, "Trends") if row[0] == "CAND" and row[2].endswith("2025")]
    assert [row[5] for row in trends] == ["6", "2", "2", "2"]
    downloads = AuditEvent.objects.filter(actor=cast.coordinator_a, action=Action.EXPORT)
    assert sorted(e.detail.get("format", "requested") for e in downloads) == ["pdf", "requested", "xlsx"]


def test_titles_starting_like_a_formula_stay_text_in_the_xlsx(cast, programme, client_for):
    client = client_for(cast.coordinator_a)
    start(client)
    report = ProgrammeReport.objects.get(requested_by=cast.coordinator_a)
    book = workbook(client.get(f"/programmes/reports/{report.pk}/report.xlsx").content)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    about = dict((row[0], row[1]) for row in sheet_rows(book, "Report"))
    assert about["programme"] == '\'=HYPERLINK("http://example.org","clic")'
    assert sheet_rows(book, "Actions")[1][2] == "'+SUM(A1:A9) tirocini in azienda"


def test_the_analysts_report_has_small_counts_suppressed(cast, programme, client_for):
    client = client_for(cast.analyst)
    assert start(client).status_code == 302
    report = ProgrammeReport.objects.get(requested_by=cast.analyst)
    assert report.suppressed
    book = workbook(client.get(f"/programmes/reports/{report.pk}/report.xlsx").content)
    indicators = {row[0]: row for row in sheet_rows(book, "Indicators")[1:]}
    # Eight candidates in 2025 are shown; from April only two, suppressed in every quarter.
    assert indicators["CAND"][3] == "8"
    trends = [row[5] for row in sheet_rows(book, "Trends") if row[0] == "CAND" and row[2].endswith("2025")]
    assert trends == ["6", "suppressed (< 5)", "suppressed (< 5)", "suppressed (< 5)"]
    text = pdf_text(client.get(f"/programmes/reports/{report.pk}/report.pdf").content)
    assert "fewer than 5" in text and "Counts from 1 to 4 are suppressed" in text


def test_progress_is_shown_while_the_job_runs_and_the_poll_reloads_when_done(cast, programme, client_for):
    client = client_for(cast.coordinator_a)
    report = reports.report_start(actor=cast.coordinator_a, programme=programme, territory=None, year=2025)
    Job.objects.filter(pk=report.job_id).update(status=JobStatus.RUNNING, progress_total=40, progress_done=10)
    page = client.get(f"/programmes/reports/{report.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="report-progress"' in html
    assert 'aria-valuenow="25"' in html and f'hx-get="/programmes/reports/{report.pk}/"' in html
    assert 'data-testid="download-pdf"' not in html
    poll = client.get(f"/programmes/reports/{report.pk}/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "<html" not in poll.content.decode()
    assert client.get(f"/programmes/reports/{report.pk}/report.pdf").status_code == 404  # not written yet

    reports.report_build(report=ProgrammeReport.objects.get(pk=report.pk))
    done = client.get(f"/programmes/reports/{report.pk}/", HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    assert client.get(f"/programmes/reports/{report.pk}/report.pdf").status_code == 200


def test_another_users_report_is_a_404(cast, programme, client_for):
    start(client_for(cast.coordinator_a))
    report = ProgrammeReport.objects.get(requested_by=cast.coordinator_a)
    for user in (cast.coordinator_b, cast.operator_a, cast.analyst, cast.company_referent):
        client = client_for(user)
        for url in (f"/programmes/reports/{report.pk}/", f"/programmes/reports/{report.pk}/report.pdf",
                    f"/programmes/reports/{report.pk}/report.xlsx"):  # fmt: skip
            assert client.get(url).status_code == 404, (user, url)
    assert client_for(cast.coordinator_a).get(f"/programmes/reports/{report.pk}/report.doc").status_code == 404
    assert AuditEvent.objects.filter(actor=cast.coordinator_b, action=Action.ACCESS_DENIED).exists()


def test_a_bad_year_is_refused_with_a_message_and_nothing_is_started(cast, programme, client_for):
    client = client_for(cast.coordinator_a)
    for year in ("1990", "abc", "3000"):
        response = start(client, year=year)
        assert response.status_code == 400
        assert 'id="id_year_error"' in response.content.decode()
    assert not ProgrammeReport.objects.exists() and not Job.objects.filter(kind="programmes.report").exists()


def test_a_report_for_a_territory_counts_its_organisations_only(cast, programme, client_for):
    places = three_territories(cast)
    candidates(cast.unit_b, 7, opened=D(2025, 2, 1))
    client = client_for(cast.coordinator_b)
    assert start(client, territory=places["south"].pk).status_code == 302
    report = ProgrammeReport.objects.get(requested_by=cast.coordinator_b)
    assert report.territory == places["south"] and not report.suppressed  # B's own territory: exact figures
    book = workbook(client.get(f"/programmes/reports/{report.pk}/report.xlsx").content)
    indicators = {row[0]: row for row in sheet_rows(book, "Indicators")[1:]}
    assert indicators["CAND"][3] == "7" and indicators["RIUN"][3] in ("", None)  # A's meetings are not B's
    assert dict((r[0], r[1]) for r in sheet_rows(book, "Report"))["territory"] == "ASST Sud"


def test_the_report_of_a_shipped_programme_is_written(programmes, cast, client_for):
    client = client_for(cast.coordinator_a)
    response = client.post("/programmes/vivere-in-salute-mentale/report/", {"year": "2025", "territory": ""})
    assert response.status_code == 302
    report = ProgrammeReport.objects.get(requested_by=cast.coordinator_a)
    text = pdf_text(client.get(f"/programmes/reports/{report.pk}/report.pdf").content)
    assert "Area Abitare: offrire risorse e opportunità" in text and "EECO01" in text and "355,200.00" in text
    book = workbook(client.get(f"/programmes/reports/{report.pk}/report.xlsx").content)
    assert "EECO01" in [row[0] for row in sheet_rows(book, "Indicators")]


def test_old_reports_lose_their_files_when_a_new_one_is_started(cast, programme, client_for):
    client = client_for(cast.coordinator_a)
    start(client)
    old = ProgrammeReport.objects.get(requested_by=cast.coordinator_a)
    ProgrammeReport.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(days=reports.KEEP_DAYS + 1)
    )
    start(client, year="2024")
    assert not ProgrammeReport.objects.filter(pk=old.pk).exclude(pdf=b"").exists()
    assert client.get(f"/programmes/reports/{old.pk}/report.pdf").status_code == 404
    assert 'data-testid="report-gone"' in client.get(f"/programmes/reports/{old.pk}/").content.decode()
    new = ProgrammeReport.objects.exclude(pk=old.pk).get()
    assert client.get(f"/programmes/reports/{new.pk}/report.pdf").status_code == 200


def test_a_failing_report_marks_its_job_failed_and_saves_no_file(cast, programme, client_for):
    # An indicator key the engine does not know (a data file ahead of the code) makes the computation fail.
    programme.indicators.filter(code="CAND").update(indicator_key="no.such.indicator")
    report = reports.report_start(actor=cast.coordinator_a, programme=programme, territory=None, year=2025)
    with pytest.raises(KeyError):
        reports.report_build(report=report)
    report.refresh_from_db()
    assert report.job.status == JobStatus.FAILED and "no.such.indicator" in report.job.report["error"]
    assert not ProgrammeReport.objects.filter(pk=report.pk).exclude(pdf=b"").exists()
    page = client_for(cast.coordinator_a).get(f"/programmes/reports/{report.pk}/")
    assert page.status_code == 200 and "The report could not be written." in page.content.decode()
    assert 'data-testid="download-pdf"' not in page.content.decode()
