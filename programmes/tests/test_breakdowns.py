"""Breakdowns of the indicators: grouped in SQL, adding up to the total, suppressed for aggregate-only readers,
refused with a message where the indicator does not declare them."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from accounts.choices import TerritoryKind, UnitKind
from accounts.models import Territory, Unit
from audit.choices import Action
from audit.models import AuditEvent
from cases.choices import Area
from core.testing.cast import make_case
from paths.choices import PathKind
from programmes.indicators import REGISTRY, Scope, compute
from programmes.indicators import rate as percent
from programmes.indicators.counting import DIMENSIONS, Breakdown, BreakdownNotAllowed, Cell, breakdown
from programmes.selectors import suppress_breakdown
from programmes.tests.conftest import make_referral, person_of
from programmes.tests.test_indicators_paths import make_path

D = datetime.date
YEAR = Scope(start=D(2025, 1, 1), end=D(2025, 12, 31))
QUERY = {"start": "2025-01-01", "end": "2025-12-31"}


def _candidate(unit, *, sex="F", born, diagnosis="", law68=False, law68_on=None):
    person = person_of(unit.organisation, sex=sex, birth_date=born, diagnosis_group=diagnosis,
                       law68_registered=law68, law68_registered_on=law68_on)  # fmt: skip
    make_case(person=person, unit=unit, area=Area.WORK, opened_on=D(2025, 2, 1))
    return person


@pytest.fixture
def territory(cast):
    """A's organisation in ASST Nord, B's in an Ambito inside ASST Sud; a second Polo Lavoro at A."""
    ats = Territory.objects.create(code="ATS-X", name="ATS", kind=TerritoryKind.ATS)
    north = Territory.objects.create(code="N", name="ASST Nord", kind=TerritoryKind.ASST, parent=ats)
    south = Territory.objects.create(code="S", name="ASST Sud", kind=TerritoryKind.ASST, parent=ats)
    ambito = Territory.objects.create(code="S1", name="Ambito S1", kind=TerritoryKind.AMBITO, parent=south)
    cast.org_a.territory, cast.org_b.territory = north, ambito
    cast.org_a.save()
    cast.org_b.save()
    return Unit.objects.create(organisation=cast.org_a, name="Polo Lavoro Sacco Est", kind=UnitKind.POLO_LAVORO)


@pytest.fixture
def persons(cast, territory):
    """Seven candidates: six at A (two Poli), one at B; one of A's also followed by B."""
    second_polo = territory
    out = [
        _candidate(cast.unit_a, sex="M", born=D(2002, 6, 1), diagnosis="F20-F29", law68=True),  # 23 at the end
        _candidate(cast.unit_a, sex="M", born=D(2000, 12, 31), diagnosis="F20-F29"),  # 25 on 31/12/2025
        _candidate(cast.unit_a, sex="F", born=D(1985, 3, 1), diagnosis="F30-F39", law68=True, law68_on=D(2026, 1, 1)),
        _candidate(cast.unit_a, sex="F", born=D(1970, 3, 1)),
        _candidate(second_polo, sex="F", born=D(1960, 3, 1), law68=True, law68_on=D(2024, 1, 1)),
        _candidate(second_polo, sex="F", born=D(1990, 3, 1), diagnosis="F60-F69"),
        _candidate(cast.unit_b, sex="M", born=D(1975, 3, 1)),
    ]
    # The first is also taken in charge by B later in the year: in a breakdown by place, B's (the latest) only.
    make_case(person=out[0], unit=cast.unit_b, area=Area.WORK, opened_on=D(2025, 9, 1))
    for person in out[:3]:
        make_path(cast, person, PathKind.HIRING_OPEN_ENDED, D(2025, 3, 1))
    return out


def _cells(table):
    return {c.label: (c.numerator, c.denominator) if table.is_rate else c.numerator for c in table.cells}


@pytest.mark.parametrize(
    "key",
    [
        "cohort.candidates",
        "jobs.employment_rate",
        "cohort.hired",
        "cases.open_by_area",
        "celav.concluded",
        "jobs.time_to_first_job",
    ],
)
def test_rows_add_up_to_the_total_for_every_allowed_dimension(persons, key):
    total = compute(key, YEAR)
    for dimension in REGISTRY[key].breakdowns:
        table = breakdown(key, YEAR, dimension)
        assert sum(c.numerator for c in table.cells) == total.numerator, dimension
        assert table.total.numerator == total.numerator
        if table.is_rate:
            assert sum(c.denominator for c in table.cells) == total.denominator == table.total.denominator


def test_a_person_referred_to_two_organisations_is_one_row_of_the_breakdown(cast, persons):
    first, second = persons[3], persons[4]
    make_referral(cast, first, sent=D(2025, 3, 1), decided=D(2025, 3, 5))
    make_referral(cast, first, sent=D(2025, 4, 1), to_unit=cast.unit_b)  # the latest: B's
    make_referral(cast, second, sent=D(2025, 4, 1), decided=D(2025, 4, 9), accept=False)
    assert (compute("referrals.reached", YEAR).numerator, compute("referrals.reached", YEAR).denominator) == (1, 2)
    by_org = _cells(breakdown("referrals.reached", YEAR, "organisation"))
    assert by_org == {cast.org_a.name: (0, 1), cast.org_b.name: (1, 1)}


def test_each_dimension_groups_by_what_ponte_records(persons):
    with translation.override("en"):
        by = {d: _cells(breakdown("jobs.employment_rate", YEAR, d)) for d in DIMENSIONS}
    assert by["sex"] == {"Female": (1, 4), "Male": (2, 3)}
    assert by["age_band"] == {
        "under 25": (1, 1),
        "25–34": (1, 1),  # 25 on the last day of the period
        "35–44": (1, 2),
        "45–54": (0, 1),
        "55 and over": (0, 2),
    }
    # Registered by the end of 2025: the first (no date) and the fifth; the third registers in 2026.
    assert by["law68"] == {"Registered for targeted placement (Law 68)": (1, 2), "Not registered": (2, 5)}
    assert by["diagnosis"] == {
        "F20–F29 Schizophrenia, schizotypal and delusional disorders": (2, 2),
        "F30–F39 Mood (affective) disorders": (1, 1),
        "F60–F69 Disorders of adult personality and behaviour": (0, 1),
        "Not recorded": (0, 3),
    }
    assert by["polo"] == {"Polo Lavoro Niguarda": (1, 2), "Polo Lavoro Sacco": (2, 3), "Polo Lavoro Sacco Est": (0, 2)}
    assert by["asst"] == {"ASST Nord": (2, 5), "ASST Sud": (1, 2)}  # B through its Ambito inside ASST Sud


def test_paths_break_down_by_their_own_organisation_and_polo(cast, territory):
    person = _candidate(cast.unit_a, born=D(1980, 1, 1))
    case = person.cases.get()
    make_path(cast, person, PathKind.COURSE, D(2025, 1, 10), end=D(2025, 3, 1), case=case)
    make_path(cast, person_of(cast.org_b), PathKind.COURSE, D(2025, 1, 10), end=D(2025, 3, 1), org=cast.org_b)
    with translation.override("en"):
        by_polo = _cells(breakdown("celav.concluded", YEAR, "polo"))
        by_org = _cells(breakdown("celav.concluded", YEAR, "organisation"))
    assert by_polo == {"Polo Lavoro Sacco": (1, 1), "Not followed by a Polo Lavoro": (1, 1)}
    assert by_org == {cast.org_a.name: (1, 1), cast.org_b.name: (1, 1)}


def test_a_breakdown_the_indicator_does_not_declare_is_refused(persons):
    with pytest.raises(BreakdownNotAllowed):
        breakdown("equity.employment", YEAR, "sex")
    with pytest.raises(BreakdownNotAllowed):
        breakdown("cohort.candidates", YEAR, "shoe size")
    with pytest.raises(BreakdownNotAllowed):
        breakdown("referrals.waiting_days", YEAR, "organisation")  # a median: not a count the engine groups


def _table(values, *, is_rate=False):
    cells = [
        Cell(label=str(i), numerator=n, denominator=d, value=percent(n, d)) if is_rate else Cell(str(i), n)
        for i, (n, d) in enumerate(values)
    ]
    num = sum(n for n, _d in values)
    den = sum(d for _n, d in values) if is_rate else None
    return Breakdown(key="jobs.employment_rate", dimension="sex", title="", is_rate=is_rate, cells=cells,
                     total=Cell(label="Total", numerator=num, denominator=den))  # fmt: skip


def test_small_cells_are_hidden_with_their_complement():
    counts = suppress_breakdown(_table([(10, None), (2, None), (7, None), (0, None)]))
    assert [c.numerator for c in counts.cells] == [10, None, None, 0]
    assert counts.total.numerator == 19
    # Two small cells already hide each other: nothing more is hidden.
    assert [c.numerator for c in suppress_breakdown(_table([(3, None), (2, None), (9, None)])).cells] == [None, None, 9]


def test_rate_cells_hide_small_numerators_complements_and_denominators():
    table = suppress_breakdown(_table([(20, 40), (38, 40), (2, 3), (10, 30)], is_rate=True))
    nums = [c.numerator for c in table.cells]
    dens = [c.denominator for c in table.cells]
    # 38 of 40: its complement 2 is small. 2 of 3: small. Two numerators hidden: no complement needed.
    assert nums == [20, None, None, 10]
    # One denominator (3) is small: the next smallest (30) goes with it.
    assert dens == [40, 40, None, None]
    assert [c.value for c in table.cells] == [Decimal("50.0"), None, None, None]
    assert all(c.low is None for c in table.cells[1:])


@pytest.mark.parametrize("user", ["analyst", "coordinator_a"])
def test_dashboard_shows_the_breakdown_table(cast, persons, client_for, user):
    client = client_for(getattr(cast, user))
    page = client.get("/programmes/indicators/", {**QUERY, "indicator": "cohort.candidates", "by": "sex"})
    html = page.content.decode()
    assert page.status_code == 200
    table = html[html.index('data-testid="breakdown-table" data-key="cohort.candidates"') :]
    table = table[: table.index("</table>")]
    assert "<caption>" in table and '<th scope="col">' in table
    assert table.count('data-testid="breakdown-row"') == 2
    assert '<label for="id_by"' in html
    if user == "analyst":
        # 4 women and 3 men in the network: both below five, both hidden.
        assert table.count('data-testid="suppressed"') == 2
    else:
        # The network is not only A's: the coordinator too gets suppressed figures; their own organisation exact.
        own = client.get(
            "/programmes/indicators/",
            {**QUERY, "organisation": cast.org_a.pk, "indicator": "cohort.candidates", "by": "sex"},
        ).content.decode()
        own_table = own[own.index('data-testid="breakdown-table" data-key="cohort.candidates"') :]
        assert 'data-testid="suppressed"' not in own_table[: own_table.index("</table>")]
    event = AuditEvent.objects.filter(actor=getattr(cast, user), action=Action.AGGREGATE_VIEW).first()
    assert event.detail["breakdown"] == "sex"


def test_dashboard_shows_a_median_per_group(cast, persons, client_for):
    query = {**QUERY, "organisation": cast.org_a.pk, "indicator": "jobs.time_to_first_job", "by": "polo"}
    page = client_for(cast.coordinator_a).get("/programmes/indicators/", query)
    html = page.content.decode()
    assert page.status_code == 200
    table = html[html.index('data-testid="breakdown-table" data-key="jobs.time_to_first_job"') :]
    table = table[: table.index("</table>")]
    # A's two Poli: three of A's five placed on 1 March, 28 days after being taken in charge.
    assert table.count('data-testid="breakdown-row"') == 2
    assert ">28<" in table.replace(" ", "")


def test_dashboard_refuses_a_breakdown_the_indicator_does_not_declare(cast, persons, client_for):
    client = client_for(cast.coordinator_a)
    page = client.get(
        "/programmes/indicators/",
        {**QUERY, "indicator": "equity.employment", "by": "sex"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert 'data-testid="breakdown-errors"' in html and "cannot be broken down by" in html
    assert 'data-testid="breakdown-table" data-key="equity.employment" data-by="sex"' not in html
    unknown = client.get("/programmes/indicators/", {**QUERY, "indicator": "cohort.candidates", "by": "shoe"})
    assert unknown.status_code == 400
    assert client.get("/programmes/indicators/", {**QUERY, "indicator": "no.such", "by": "sex"}).status_code == 400


def test_equity_tables_are_on_the_dashboard_and_in_the_export(cast, persons, client_for):
    client = client_for(cast.coordinator_a)
    html = client.get("/programmes/indicators/", QUERY).content.decode()
    for key in ("equity.employment", "equity.hired_at_end", "equity.hospitalised"):
        assert f'data-key="{key}" data-by="asst"' in html
    export = client.get(
        "/programmes/indicators/export.xlsx", {**QUERY, "indicator": "jobs.employment_rate", "by": "sex"}
    )
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    labels = [row[2] for row in sheet.iter_rows(values_only=True)]
    keys = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "equity.employment" in keys
    # The analyst's export suppresses as the page does: the sex breakdown of 7 persons is all hidden.
    analyst = client_for(cast.analyst).get(
        "/programmes/indicators/export.csv", {**QUERY, "indicator": "cohort.candidates", "by": "sex"}
    )
    text = analyst.content.decode("utf-8-sig")
    sex_rows = [line for line in text.splitlines() if "cohort.candidates" in line and ":" in line.split(";")[2]]
    assert len(sex_rows) == 3 and all("< 5" in line for line in sex_rows[:2])
    assert any(label and ":" in str(label) for label in labels)
