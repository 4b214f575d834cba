"""Trend charts: periods of a range, each indicator's series on hand-built data, suppression per period, the SVG
geometry and the page (chart with its table, freshness, audit)."""

import datetime
import re
from decimal import Decimal

import pytest

from audit.choices import Action
from audit.models import AuditEvent
from programmes.charts import trend_chart
from programmes.models import Programme
from programmes.tests.arrange_reports import build_programme, candidates, manual_value
from programmes.trends import periods, trend_series

D = datetime.date


@pytest.fixture
def programme(cast):
    programme = build_programme(cast)
    candidates(cast.unit_a, 6, opened=D(2025, 1, 10), closed=D(2025, 3, 20))  # Q1 only
    candidates(cast.unit_a, 2, opened=D(2025, 4, 5))  # Q2 onwards
    manual_value(cast, programme, on=D(2025, 5, 1), value=3)
    manual_value(cast, programme, on=D(2025, 6, 1), value=1)
    return programme


def test_a_range_is_split_in_quarters_clipped_to_it():
    steps = periods(D(2025, 2, 15), D(2025, 11, 30))
    assert [p.label for p in steps] == ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
    assert (steps[0].start, steps[0].end) == (D(2025, 2, 15), D(2025, 3, 31))
    assert (steps[-1].start, steps[-1].end) == (D(2025, 10, 1), D(2025, 11, 30))


def test_ranges_longer_than_twelve_quarters_go_by_year():
    assert len(periods(D(2023, 1, 1), D(2025, 12, 31))) == 12
    years = periods(D(2019, 7, 1), D(2025, 3, 31))
    assert [p.label for p in years] == ["2019", "2020", "2021", "2022", "2023", "2024", "2025"]
    assert (years[0].start, years[-1].end) == (D(2019, 7, 1), D(2025, 3, 31))
    assert periods(D(2025, 2, 1), D(2025, 1, 1)) == []


def test_series_of_each_indicator_per_quarter_for_own_organisation(cast, programme):
    trends = trend_series(
        cast.coordinator_a,
        programme,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        organisation_ids=frozenset({cast.org_a.pk}),
    )
    by_code = {t.indicator.code: t for t in trends}
    assert [p.value for p in by_code["CAND"].points] == [6, 2, 2, 2]
    assert not any(p.suppressed for p in by_code["CAND"].points)
    assert [p.value for p in by_code["RIUN"].points] == [None, Decimal("4"), None, None]
    assert by_code["CAND"].chart["target_y"] is not None


def test_the_analyst_gets_small_values_suppressed_in_each_period(cast, programme):
    trends = trend_series(cast.analyst, programme, start=D(2025, 1, 1), end=D(2025, 12, 31))
    cand = next(t for t in trends if t.indicator.code == "CAND")
    assert [p.value for p in cand.points] == [6, None, None, None]
    assert [p.suppressed for p in cand.points] == [False, True, True, True]


def test_the_chart_breaks_the_line_where_a_value_is_missing_and_draws_the_target():
    chart = trend_chart(
        [("Q1", Decimal(6), False), ("Q2", Decimal(8), False), ("Q3", None, True), ("Q4", Decimal(2), False)],
        target=Decimal(10),
    )
    assert len(chart["segments"]) == 1 and len(chart["segments"][0].split()) == 2  # Q1–Q2; Q4 stands alone
    ys = {p["label"]: p["y"] for p in chart["points"]}
    assert chart["target_y"] < ys["Q2"] < ys["Q1"] < ys["Q4"] < chart["bottom"]  # higher values are higher up
    assert chart["points"][2]["suppressed"] and chart["points"][2]["value"] is None
    assert trend_chart([]) is None


def test_the_trend_page_shows_charts_with_tables_and_when_they_were_computed(cast, programme, client_for, settings):
    client = client_for(cast.coordinator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    query = {"start": "2025-01-01", "end": "2025-12-31", "organisation": cast.org_a.pk}
    detail = client.get("/programmes/prova-report/", query)
    assert detail.status_code == 200
    assert 'data-testid="trends-loader"' in detail.content.decode()
    assert "/programmes/prova-report/trends/?" in detail.content.decode()

    page = client.get("/programmes/prova-report/trends/", query)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="trend-chart"') == 2 and html.count('data-testid="trend-table"') == 2
    assert 'data-testid="target-line"' in html
    table = html[html.index('data-testid="trend-table" data-code="CAND"') :]
    table = table[: table.index("</table>")]
    assert re.findall(r'data-period="[^"]+">(\d+)<', table) == ["6", "2", "2", "2"]
    assert "one value per quarter" in html and "computed at" in html
    assert AuditEvent.objects.filter(
        actor=cast.coordinator_a, action=Action.INDICATOR_VIEW, detail__page="trends"
    ).exists()

    partial = client.get("/programmes/prova-report/trends/", query, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert 'id="programme-trends"' in partial.content.decode()


def test_chart_coordinates_are_plain_numbers_in_italian(cast, programme, client_for):
    page = client_for(cast.coordinator_a).get(
        "/programmes/prova-report/trends/", {"start": "2025-01-01", "end": "2025-12-31"}
    )
    html = page.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    coordinates = re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates)
    for points in re.findall(r'points="([^"]*)"', svg):
        assert all(re.fullmatch(r"\d+(\.\d+)?,\d+(\.\d+)?", pair) for pair in points.split())


def test_roles_without_programmes_and_unknown_programmes_get_404(cast, programme, client_for):
    assert client_for(cast.company_referent).get("/programmes/prova-report/trends/").status_code == 404
    assert client_for(cast.coordinator_a).get("/programmes/nessuno/trends/").status_code == 404


@pytest.mark.parametrize(
    "code",
    [
        "pir-tr106-2019",
        "vivere-in-salute-mentale",
        "piano-di-zona-milano-integrazione",
        "melegnano-martesana-2021-2023",
    ],
)
def test_every_shipped_programme_has_its_trend_page(programmes, cast, client_for, code):
    page = client_for(cast.analyst).get(f"/programmes/{code}/trends/")
    assert page.status_code == 200
    html = page.content.decode()
    # Every indicator is there: a chart with its table, "waiting for", or "no data yet".
    count = Programme.objects.get(code=code).indicators.count()
    assert html.count('<h4 id="trend-') == count
    assert html.count('data-testid="trend-chart"') == html.count('data-testid="trend-table"')
