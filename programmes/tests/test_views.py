"""Programme pages, dashboard, drill-down and exports: who sees what, suppression, audit, formula injection."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from assessments.choices import AssessmentStatus
from assessments.models import Assessment, Instrument, InstrumentVersion
from audit.choices import Action
from audit.models import AuditEvent
from cases.choices import Area
from core.testing.cast import make_case
from programmes.models import ManualValue, ProgrammeIndicator
from programmes.tests.conftest import person_of

D = datetime.date
QUERY = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def candidates(cast):
    """Two candidates at A's Polo Lavoro and six at B's, in 2025."""
    for unit, n in ((cast.unit_a, 2), (cast.unit_b, 6)):
        for _ in range(n):
            make_case(person=person_of(unit.organisation), unit=unit, area=Area.WORK, opened_on=D(2025, 2, 1))


def _cohort_cells(response, key):
    html = response.content.decode()
    row = html[html.index(f'data-key="{key}"') :]
    return row[: row.index("</tr>")]


def test_coordinator_sees_each_programme_with_objectives_budget_and_indicators(programmes, cast, client_for):
    client = client_for(cast.coordinator_a)
    listing = client.get("/programmes/")
    assert listing.status_code == 200
    assert listing.content.decode().count('data-testid="programme-row"') == 4
    page = client.get("/programmes/vivere-in-salute-mentale/", {"start": "2024-01-01", "end": "2026-12-31"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Abitare nel proprio domicilio" in html and "355.200,00" in html
    assert 'data-code="EECO01"' in html and 'data-code="DOMICILIO"' in html
    assert 'data-code="DOMICILIO" data-status="waiting"' in html
    assert AuditEvent.objects.filter(actor=cast.coordinator_a, action=Action.INDICATOR_VIEW).count() == 1
    for code in ("pir-tr106-2019", "piano-di-zona-milano-integrazione", "melegnano-martesana-2021-2023"):
        assert client.get(f"/programmes/{code}/").status_code == 200


def test_roles_without_persons_or_aggregates_find_no_programme_pages(programmes, cast, client_for):
    for user in (cast.company_referent, cast.sysadmin):
        client = client_for(user)
        assert client.get("/programmes/").status_code == 404
        assert client.get("/programmes/pir-tr106-2019/").status_code == 404
        assert client.get("/programmes/indicators/").status_code == 404


def test_analyst_sees_suppressed_counts_and_no_record_links(cast, candidates, client_for):
    client = client_for(cast.analyst)
    # The network: 8 candidates, shown. Organisation A alone: 2, suppressed.
    network = client.get("/programmes/indicators/", QUERY)
    assert network.status_code == 200
    assert ">8<" in _cohort_cells(network, "cohort.candidates").replace(" ", "")
    own_a = client.get("/programmes/indicators/", {**QUERY, "organisation": cast.org_a.pk})
    assert 'data-testid="suppressed"' in _cohort_cells(own_a, "cohort.candidates")
    assert "/records/" not in own_a.content.decode()
    assert 'data-testid="waiting"' not in _cohort_cells(network, "cohort.hired")  # computed from the paths
    assert AuditEvent.objects.filter(actor=cast.analyst, action=Action.AGGREGATE_VIEW).count() == 2


def test_coordinator_sees_exact_figures_of_own_organisation(cast, candidates, client_for):
    page = client_for(cast.coordinator_a).get("/programmes/indicators/", {**QUERY, "organisation": cast.org_a.pk})
    cells = _cohort_cells(page, "cohort.candidates")
    assert 'data-testid="suppressed"' not in cells and ">2<" in cells.replace(" ", "")
    assert "/programmes/indicators/cohort.candidates/records/" in page.content.decode()


def test_operators_do_not_get_the_dashboard(cast, client_for):
    assert client_for(cast.operator_a).get("/programmes/indicators/").status_code == 404


def test_drill_down_lists_the_records_the_user_may_see_and_is_audited(cast, candidates, client_for):
    url = "/programmes/indicators/cohort.candidates/records/"
    own = client_for(cast.operator_a).get(url, {**QUERY, "organisation": cast.org_a.pk})
    assert own.status_code == 200
    assert own.content.decode().count('data-testid="record-row"') == 2  # equal to the count of A's candidates
    event = AuditEvent.objects.get(actor=cast.operator_a, action=Action.INDICATOR_RECORDS)
    assert event.detail["indicator"] == "cohort.candidates" and event.detail["shown"] == 2
    # B's operator asks for A's records: the figure's 2 records exist, none is shown.
    other = client_for(cast.operator_b).get(url, {**QUERY, "organisation": cast.org_a.pk})
    assert other.status_code == 200
    assert 'data-testid="record-row"' not in other.content.decode()


def test_drill_down_headers_are_in_the_language_of_the_request(cast, candidates, client_for):
    url = "/programmes/indicators/cohort.candidates/records/"
    client = client_for(cast.operator_a)
    italian = client.get(url, {**QUERY, "organisation": cast.org_a.pk}).content.decode()
    english = client.get(url, {**QUERY, "organisation": cast.org_a.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anno di nascita" in italian and "Born in" not in italian
    assert "Born in" in english and "Anno di nascita" not in english


def test_drill_down_is_a_404_for_aggregate_only_users_and_unknown_or_waiting_indicators(cast, candidates, client_for):
    assert client_for(cast.analyst).get("/programmes/indicators/cohort.candidates/records/").status_code == 404
    operator = client_for(cast.operator_a)
    assert operator.get("/programmes/indicators/no.such/records/").status_code == 404
    assert operator.get("/programmes/indicators/community.home_support/records/").status_code == 404
    assert not AuditEvent.objects.filter(action=Action.INDICATOR_RECORDS).exists()


def test_exports_defuse_formulas_suppress_small_cells_and_are_audited(cast, client_for):
    instrument = Instrument.objects.create(code="evil", title_it='=HYPERLINK("http://x")', title_en="x")
    version = InstrumentVersion.objects.create(
        instrument=instrument, number=1, definition={"scoring": {}}, content_hash="x", source_file="x.yaml"
    )
    person = person_of(cast.org_a)
    for _ in range(6):
        Assessment.objects.create(
            person=person, instrument_version=version, organisation=cast.org_a, unit=cast.unit_a,
            author=cast.operator_a, status=AssessmentStatus.COMPLETED, assessed_on=D(2025, 3, 1),
            completed_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC),
        )  # fmt: skip
    make_case(person=person, unit=cast.unit_a, area=Area.WORK, opened_on=D(2025, 2, 1))  # 1 candidate: small
    client = client_for(cast.analyst)
    csv_text = client.get("/programmes/indicators/export.csv", QUERY).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    candidates_line = next(line for line in csv_text.splitlines() if line.split(";")[1] == "cohort.candidates")
    assert candidates_line.split(";")[3] != "1"
    xlsx = client.get("/programmes/indicators/export.xlsx", QUERY)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value is not None)
    assert AuditEvent.objects.filter(actor=cast.analyst, action=Action.EXPORT).count() == 2
    assert client.get("/programmes/indicators/export.pdf", QUERY).status_code == 404


def test_coordinator_records_a_manual_value_that_counts_against_the_target(programmes, cast, client_for):
    indicator = ProgrammeIndicator.objects.get(programme__code="melegnano-martesana-2021-2023", code="FORMAZIONI")
    url = f"/programmes/melegnano-martesana-2021-2023/indicators/{indicator.pk}/values/new/"
    assert client_for(cast.operator_a).post(url, {"on": "2022-03-01", "value": "4", "evidence": "x"}).status_code == 404
    client = client_for(cast.coordinator_a)
    response = client.post(url, {"on": "2022-03-01", "value": "4", "evidence": "Registro presenze corso 1-4"})
    assert response.status_code == 302
    assert ManualValue.objects.get().value == Decimal(4)
    assert AuditEvent.objects.filter(actor=cast.coordinator_a, action=Action.PROGRAMME_SAVE).count() == 1
    page = client.get("/programmes/melegnano-martesana-2021-2023/", {"start": "2021-01-01", "end": "2022-12-31"})
    assert 'data-code="FORMAZIONI" data-status="met"' in page.content.decode()
    missing_evidence = client.post(url, {"on": "2022-03-01", "value": "1", "evidence": ""})
    assert missing_evidence.status_code == 400 and ManualValue.objects.count() == 1
    computed = ProgrammeIndicator.objects.get(programme__code="pir-tr106-2019", code="CAND")
    assert client.post(f"/programmes/pir-tr106-2019/indicators/{computed.pk}/values/new/",
                       {"on": "2019-03-01", "value": "1", "evidence": "x"}).status_code == 404  # fmt: skip
