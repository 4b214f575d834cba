"""The territory comparison: each ASST's territory and the whole network side by side, suppression with its
complement for whoever may not see the persons, the page, its exports and who reaches it."""

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from audit.choices import Action
from audit.models import AuditEvent
from programmes.territories import territory_rows, territory_table
from programmes.tests.arrange_reports import build_programme, candidates, manual_value, three_territories

D = datetime.date
YEAR = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}
QUERY = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def network(cast):
    """North (organisation A) 6 candidates, South (organisation B) 2, East 9: 17 in the network."""
    places = three_territories(cast)
    candidates(cast.unit_a, 6, opened=D(2025, 2, 1))
    candidates(cast.unit_b, 2, opened=D(2025, 2, 1))
    candidates(places["unit_c"], 9, opened=D(2025, 2, 1))
    programme = build_programme(cast)
    manual_value(cast, programme, on=D(2025, 5, 1), value=3)
    return programme


def _values(table, code):
    row = next(r for r in table.rows if r.code == code)
    return {_name(c): cell.value for c, cell in zip(table.columns, row.cells, strict=True)}


def _name(column):
    return column.territory.code if column.territory else "network"


def test_the_columns_are_each_asst_territory_then_the_network(cast, network):
    table = territory_table(cast.coordinator_a, programme=network, **YEAR)
    assert [c.label for c in table.columns][:3] == ["ASST Est", "ASST Nord", "ASST Sud"]
    assert table.columns[-1].territory is None and len(table.columns) == 4
    assert [r.code for r in table.rows] == ["CAND", "RIUN"]
    # The meetings were recorded by organisation A: they count for North and the network only.
    assert _values(table, "RIUN") == {"EST": None, "NORD": 3, "SUD": None, "network": 3}


def test_a_coordinator_of_every_organisation_would_see_exact_figures(cast, network):
    # A user who sees persons in every organisation gets no suppression: the exact counts per territory.
    from accounts.choices import Role
    from accounts.models import Membership, Unit

    for org in (cast.org_b, Unit.objects.get(name="Polo Lavoro Est").organisation):
        Membership.objects.create(user=cast.coordinator_a, unit=org.units.first(), role=Role.COORDINATOR)
    table = territory_table(cast.coordinator_a, programme=network, **YEAR)
    assert not table.rows[0].cells[0].suppressed
    assert _values(table, "CAND") == {"EST": 9, "NORD": 6, "SUD": 2, "network": 17}


def test_the_analyst_gets_small_cells_suppressed_with_their_complement(cast, network):
    table = territory_table(cast.analyst, programme=network, **YEAR)
    cand = next(r for r in table.rows if r.code == "CAND")
    suppressed = {_name(c): cell.suppressed for c, cell in zip(table.columns, cand.cells, strict=True)}
    # South (2) is small; North (6), the next smallest, is hidden too, or 17 − 9 − 6 would give South away.
    assert suppressed == {"EST": False, "NORD": True, "SUD": True, "network": False}
    assert _values(table, "CAND") == {"EST": 9, "NORD": None, "SUD": None, "network": 17}
    assert table.suppressed


def test_without_a_programme_every_registered_indicator_is_compared(cast, network):
    from programmes.indicators import REGISTRY

    with translation.override("en"):
        table = territory_table(cast.analyst, programme=None, **YEAR)
        rows = territory_rows(table)
    assert [r.key for r in table.rows] == list(REGISTRY)
    assert rows[0][-1] == "Whole network"
    cand = next(r for r in rows if r[0] == "cohort.candidates")
    assert cand[-1] == 17 and "< 5" in str(cand[-2])


def test_the_page_shows_the_table_with_freshness_and_is_audited(cast, network, client_for, settings):
    client = client_for(cast.analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/programmes/territories/", {**QUERY, "programme": "prova-report"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="territory-table"' in html and html.count('data-testid="territory-row"') == 2
    row = html[html.index('data-testid="territory-row" data-code="CAND"') :]
    row = row[: row.index("</tr>")]
    assert row.count('data-testid="suppressed"') == 2 and ">17<" in row.replace(" ", "")
    assert "computed at" in html
    event = AuditEvent.objects.get(actor=cast.analyst, action=Action.AGGREGATE_VIEW)
    assert event.detail["page"] == "territories" and event.detail["programme"] == "prova-report"

    listing = client.get("/programmes/")
    assert 'href="/programmes/territories/"' in listing.content.decode()
    detail = client.get("/programmes/prova-report/")
    assert "/programmes/territories/?programme=prova-report" in detail.content.decode()


def test_the_export_is_suppressed_like_the_page(cast, network, client_for, settings):
    client = client_for(cast.analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/programmes/territories/export.xlsx", {**QUERY, "programme": "prova-report"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    cand = next(r for r in rows if r[0] == "CAND")
    assert cand[3:] == ["9", "suppressed (< 5)", "suppressed (< 5)", "17"]
    assert AuditEvent.objects.filter(actor=cast.analyst, action=Action.EXPORT, detail__format="xlsx").exists()
    csv = client_for(cast.analyst).get("/programmes/territories/export.csv", QUERY)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert client_for(cast.analyst).get("/programmes/territories/export.pdf", QUERY).status_code == 404


def test_bad_input_is_a_400_with_a_message_and_no_access_is_a_404(cast, network, client_for):
    bad = client_for(cast.analyst).get("/programmes/territories/", {"start": "2025-12-31", "end": "2025-01-01"})
    assert bad.status_code == 400
    assert 'data-testid="territory-table"' in bad.content.decode()  # the default period is shown
    for user in (cast.company_referent, cast.sysadmin):
        assert client_for(user).get("/programmes/territories/").status_code == 404
