"""The job-inclusion indicators over paths, on small hand-built data with known answers."""

import datetime
from decimal import Decimal

import pytest

from accounts.choices import TerritoryKind
from accounts.models import Territory
from cases.choices import Area, ClosingReason
from core.testing.cast import make_case
from paths.choices import EventKind, PathKind, PathStatus
from paths.models import Path, PathChange, ProgrammeEvent
from programmes.indicators import REGISTRY, Scope, compute
from programmes.indicators.counting import breakdown, kaplan_meier_median, wilson
from programmes.tests.conftest import close, person_of

D = datetime.date
YEAR = Scope(start=D(2025, 1, 1), end=D(2025, 12, 31))
EMPTY = Scope(start=D(2010, 1, 1), end=D(2010, 12, 31))
FINAL = {PathStatus.COMPLETED, PathStatus.INTERRUPTED, PathStatus.CONVERTED}


def make_path(cast, person, kind, start, *, end=None, status=None, org=None, case=None, was_active=True):
    """A path saved directly with its history: ever active unless `was_active` is False."""
    org = org or cast.org_a
    status = status or (PathStatus.COMPLETED if end else PathStatus.ACTIVE)
    path = Path.objects.create(
        person=person,
        organisation=org,
        case=case,
        host=cast.company,
        kind=kind,
        status=status,
        starts_on=start,
        ended_on=end,
        interruption_reason="drop_out" if status == PathStatus.INTERRUPTED else "",
    )
    steps = [PathStatus.PLANNED] + ([PathStatus.ACTIVE] if was_active else []) + ([status] if status in FINAL else [])
    for before, after in zip(["", *steps], steps, strict=False):
        PathChange.objects.create(path=path, from_status=before, to_status=after, on=start, by=cast.operator_a)
    return path


def event(cast, person, kind, on):
    return ProgrammeEvent.objects.create(
        person=person, organisation=cast.org_a, kind=kind, occurred_on=on, recorded_by=cast.clinician_a
    )


def candidate(cast, unit=None, opened=None, **fields):
    unit = unit or cast.unit_a
    opened = opened or D(2024, 6, 1)
    person = person_of(unit.organisation, **fields)
    case = make_case(person=person, unit=unit, area=Area.WORK, opened_on=opened)
    return person, case


def figures(key, scope=YEAR):
    r = compute(key, scope)
    return r.numerator, r.denominator, r.value


def records(key, scope=YEAR):
    return REGISTRY[key].records(scope)


@pytest.fixture
def cohort(cast):
    """Four candidates of A's Polo Lavoro in 2025 and one person with a path but no case."""
    p1, _ = candidate(cast)
    p2, _ = candidate(cast)
    p3, _ = candidate(cast)
    candidate(cast)  # p4: nothing
    # p1: a course, an internship converted into a job held since July, admitted to hospital while at work.
    make_path(cast, p1, PathKind.COURSE, D(2025, 2, 1), end=D(2025, 3, 31))
    make_path(cast, p1, PathKind.INTERNSHIP, D(2025, 4, 1), end=D(2025, 6, 30), status=PathStatus.CONVERTED)
    make_path(cast, p1, PathKind.HIRING_OPEN_ENDED, D(2025, 7, 1))
    event(cast, p1, EventKind.HOSPITALISATION, D(2025, 9, 10))
    # p2: an internship planned then cancelled before it started; admitted to hospital, not at work.
    make_path(cast, p2, PathKind.INTERNSHIP, D(2025, 5, 1), end=D(2025, 5, 1), status=PathStatus.INTERRUPTED,
              was_active=False)  # fmt: skip
    event(cast, p2, EventKind.HOSPITALISATION, D(2025, 2, 3))
    # p3: a job since 2024 (employed in 2025, not hired in 2025); dropped out in October.
    make_path(cast, p3, PathKind.LAW68_HIRING, D(2024, 1, 15))
    event(cast, p3, EventKind.DROP_OUT, D(2025, 10, 2))
    # Not a candidate: a path without a Polo Lavoro case.
    make_path(cast, person_of(cast.org_a), PathKind.COURSE, D(2025, 2, 1))
    return p1, p2, p3


def test_seed_000_table_reads_the_paths_and_their_events(cohort):
    assert compute("cohort.candidates", YEAR).value == 4
    assert figures("cohort.training") == (1, 4, Decimal("25.0"))
    assert figures("cohort.internship") == (1, 4, Decimal("25.0"))  # the cancelled internship does not count
    assert figures("cohort.hired") == (1, 4, Decimal("25.0"))  # p3's job started before the period
    assert figures("cohort.hospitalised") == (2, 4, Decimal("50.0"))
    assert figures("cohort.hospitalised_employed") == (1, 2, Decimal("50.0"))  # p1 at work, p3 at work not admitted
    assert figures("cohort.drop_out") == (1, 4, Decimal("25.0"))
    assert figures("jobs.employment_rate") == (2, 4, Decimal("50.0"))


def test_drill_downs_list_the_records_behind_each_numerator(cohort):
    p1, p2, p3 = cohort
    assert set(records("cohort.training")) == {p1}
    assert set(records("cohort.hired")) == {p1}
    assert set(records("jobs.employment_rate")) == {p1, p3}
    assert set(records("cohort.drop_out")) == {p3}
    assert {e.person for e in records("cohort.hospitalised")} == {p1, p2}
    assert {e.person for e in records("cohort.hospitalised_employed")} == {p1}
    for key in ("cohort.training", "cohort.internship", "cohort.hired", "cohort.hospitalised",
                "cohort.hospitalised_employed", "cohort.drop_out", "jobs.employment_rate"):  # fmt: skip
        assert records(key).count() == compute(key, YEAR).numerator, key


def test_a_second_admission_is_one_person_in_the_count_and_the_list(cast, cohort):
    p1 = cohort[0]
    event(cast, p1, EventKind.HOSPITALISATION, D(2025, 11, 20))
    assert compute("cohort.hospitalised", YEAR).numerator == 2
    assert records("cohort.hospitalised").count() == 2


def test_a_case_closed_as_drop_out_without_the_event_counts_too(cast):
    _person, case = candidate(cast)
    close(case, D(2025, 4, 1), ClosingReason.DROP_OUT)
    assert figures("cohort.drop_out") == (1, 1, Decimal("100.0"))


@pytest.mark.parametrize(
    "key",
    ["cohort.training", "cohort.hired", "cohort.hospitalised_employed", "jobs.employment_rate", "celav.concluded",
     "celav.hired_at_end", "jobs.retention_90", "jobs.internship_conversion", "equity.employment"],
)  # fmt: skip
def test_empty_periods_have_zero_denominators_and_no_rate(cohort, key):
    assert figures(key, EMPTY) == (0, 0, None)
    assert not compute(key, EMPTY).waiting_for


@pytest.fixture
def closed_paths(cast):
    """Paths closed in 2025 at A: the CELAV and conversion figures."""
    out = {}

    def one(name, kind, start, end, status, hired_on=None):
        person = person_of(cast.org_a)
        out[name] = make_path(cast, person, kind, start, end=end, status=status)
        if hired_on:
            make_path(cast, person, PathKind.HIRING_FIXED_TERM, hired_on)

    one("a", PathKind.COURSE, D(2025, 1, 10), D(2025, 3, 31), PathStatus.COMPLETED, hired_on=D(2025, 4, 20))
    one("b", PathKind.INTERNSHIP, D(2025, 1, 10), D(2025, 6, 30), PathStatus.CONVERTED, hired_on=D(2025, 7, 1))
    one("c", PathKind.INTERNSHIP, D(2025, 1, 10), D(2025, 5, 2), PathStatus.INTERRUPTED, hired_on=D(2025, 8, 10))
    one("d", PathKind.COURSE, D(2025, 6, 1), D(2025, 8, 31), PathStatus.COMPLETED, hired_on=D(2025, 11, 15))
    one("g", PathKind.INCLUSION_INTERNSHIP, D(2025, 3, 1), D(2025, 9, 30), PathStatus.COMPLETED,
        hired_on=D(2025, 12, 20))  # fmt: skip
    one("job", PathKind.HIRING_FIXED_TERM, D(2025, 1, 10), D(2025, 6, 30), PathStatus.COMPLETED)  # a job: not CELAV's
    one("old", PathKind.COURSE, D(2024, 1, 10), D(2024, 12, 31), PathStatus.COMPLETED)  # closed before the period
    return out


def test_celav_paths_concluded_and_hired_at_the_end(closed_paths):
    # Closed non-job paths: a, b, c, d, g. Concluded: a, b, d, g. Hired within 30 days of the end: a, b.
    assert figures("celav.concluded") == (4, 5, Decimal("80.0"))
    assert figures("celav.hired_at_end") == (2, 5, Decimal("40.0"))
    assert set(records("celav.concluded")) == {closed_paths[n] for n in "abdg"}
    assert set(records("celav.hired_at_end")) == {closed_paths["a"], closed_paths["b"]}


def test_internships_followed_by_a_contract_within_90_days(closed_paths):
    # Internships ended: b (converted), c (hired 100 days after), g (hired 81 days after).
    assert figures("jobs.internship_conversion") == (2, 3, Decimal("66.7"))
    assert set(records("jobs.internship_conversion")) == {closed_paths["b"], closed_paths["g"]}


def test_retention_judges_each_job_once_at_its_mark(cast):
    jobs = {}
    for name, start, end in (
        ("kept", D(2025, 1, 10), None),
        ("short", D(2025, 2, 1), D(2025, 3, 1)),  # 28 days
        ("exactly", D(2025, 3, 1), D(2025, 5, 30)),  # 90 days
        ("late", D(2025, 11, 1), None),  # its 90th day falls in 2026
        ("old", D(2024, 6, 1), None),  # its 90th day fell in 2024; its 365th in 2025
    ):
        jobs[name] = make_path(cast, person_of(cast.org_a), PathKind.HIRING_OPEN_ENDED, start, end=end)
    assert figures("jobs.retention_90") == (2, 3, Decimal("66.7"))
    assert set(records("jobs.retention_90")) == {jobs["kept"], jobs["exactly"]}
    assert figures("jobs.retention_180") == (1, 3, Decimal("33.3"))  # kept, short, exactly (late: 2026)
    assert figures("jobs.retention_365") == (1, 1, Decimal("100.0"))  # only old reaches its 365th day in 2025


def test_time_to_first_job_is_the_kaplan_meier_median_with_censoring(cast):
    opened = D(2025, 1, 1)
    hired = {}
    for name, job_on, closed_on in (
        ("q1", D(2025, 1, 11), None),  # placed after 10 days
        ("q2", D(2025, 1, 31), None),  # 30
        ("q3", None, None),  # not placed: censored at the period's end (364)
        ("q4", None, D(2025, 1, 21)),  # case closed: censored at 20
        ("q5", D(2025, 3, 2), None),  # 60
    ):
        person, case = candidate(cast, opened=opened)
        if closed_on:
            close(case, closed_on, ClosingReason.OTHER)
        if job_on:
            hired[name] = person
            make_path(cast, person, PathKind.HIRING_FIXED_TERM, job_on)
    earlier, _case = candidate(cast, opened=D(2024, 5, 1))  # taken in charge before the period: not in the cohort
    make_path(cast, earlier, PathKind.HIRING_FIXED_TERM, D(2025, 2, 1))
    result = compute("jobs.time_to_first_job", YEAR)
    # S(10) = 4/5; q4 leaves at 20; S(30) = 4/5 · 2/3 = 0.53; S(60) = 0.53 · 1/2 = 0.27 ≤ 0.5: the median is 60.
    # Dropping the censored persons would give 30, counting them as placed 30 too.
    assert (result.numerator, result.denominator, result.value) == (3, 5, 60)
    assert set(records("jobs.time_to_first_job")) == set(hired.values())


def test_time_to_first_job_is_empty_when_fewer_than_half_are_placed(cast):
    for job_on in (D(2025, 1, 11), None, None):
        person, _case = candidate(cast, opened=D(2025, 1, 1))
        if job_on:
            make_path(cast, person, PathKind.HIRING_FIXED_TERM, job_on)
    result = compute("jobs.time_to_first_job", YEAR)
    assert (result.numerator, result.denominator, result.value) == (1, 3, None)
    assert result.note
    empty = compute("jobs.time_to_first_job", EMPTY)
    assert (empty.numerator, empty.denominator, empty.value, empty.note) == (0, 0, None, "")


def test_kaplan_meier_walk_on_known_figures():
    assert kaplan_meier_median([(5, 1, 1), (7, 1, 1), (9, 1, 1)]) == 7
    # Censored at 5: two at risk at 7, S(7) = 1/2.
    assert kaplan_meier_median([(5, 0, 1), (7, 1, 1), (9, 1, 1)]) == 7
    # Two events and a censoring at 4: the events count first, S(4) = 1 - 2/4.
    assert kaplan_meier_median([(4, 2, 3), (9, 1, 1)]) == 4
    assert kaplan_meier_median([(4, 1, 3), (9, 1, 1)]) == 9
    assert kaplan_meier_median([(5, 1, 1), (8, 0, 3)]) is None
    assert kaplan_meier_median([]) is None


def test_wilson_interval_on_known_figures():
    assert wilson(5, 10) == (Decimal("23.7"), Decimal("76.3"))
    assert wilson(0, 10) == (Decimal("0.0"), Decimal("27.8"))
    assert wilson(1, 2) == (Decimal("9.5"), Decimal("90.5"))
    assert wilson(0, 0) is None


def test_equity_gap_compares_each_asst_with_the_whole_territory(cast):
    ats = Territory.objects.create(code="ATS-T", name="ATS", kind=TerritoryKind.ATS)
    for org, code in ((cast.org_a, "ASST-A"), (cast.org_b, "ASST-B")):
        org.territory = Territory.objects.create(code=code, name=code, kind=TerritoryKind.ASST, parent=ats)
        org.save()
    for unit, employed, total in ((cast.unit_a, 5, 10), (cast.unit_b, 1, 10)):
        for i in range(total):
            person, _case = candidate(cast, unit=unit)
            if i < employed:
                make_path(cast, person, PathKind.HIRING_OPEN_ENDED, D(2025, 3, 1), org=unit.organisation)
    assert figures("equity.employment") == (6, 20, Decimal("30.0"))
    table = breakdown("equity.employment", YEAR, "asst")
    rows = {c.label: (c.numerator, c.denominator, c.value, c.low, c.high) for c in table.cells}
    assert rows == {
        "ASST-A": (5, 10, Decimal("50.0"), Decimal("23.7"), Decimal("76.3")),
        "ASST-B": (1, 10, Decimal("10.0"), Decimal("1.8"), Decimal("40.4")),
    }
    assert (table.total.numerator, table.total.denominator, table.total.value) == (6, 20, Decimal("30.0"))


def test_drill_down_pages_list_paths_and_admissions_to_those_who_may_read_them(cast, cohort, closed_paths, client_for):
    query = {"start": "2025-01-01", "end": "2025-12-31", "organisation": cast.org_a.pk}
    url = "/programmes/indicators/{}/records/"
    coordinator = client_for(cast.coordinator_a)
    page = coordinator.get(url.format("celav.concluded"), query)
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="record-row"') == compute("celav.concluded", YEAR).numerator == 6
    # Admissions are read only by clinicians of a treating organisation: the coordinator gets the count, no row.
    admissions = coordinator.get(url.format("cohort.hospitalised"), query).content.decode()
    assert 'data-testid="record-row"' not in admissions
    clinician = client_for(cast.clinician_a).get(url.format("cohort.hospitalised"), query).content.decode()
    assert clinician.count('data-testid="record-row"') == 2
    # Another organisation's staff see none of A's paths; aggregate-only users get no list at all.
    other = client_for(cast.operator_b).get(url.format("celav.concluded"), query).content.decode()
    assert 'data-testid="record-row"' not in other
    assert client_for(cast.analyst).get(url.format("celav.concluded"), query).status_code == 404


def test_the_records_page_does_not_give_away_a_suppressed_count(cast, cohort, client_for):
    url = "/programmes/indicators/cohort.candidates/records/"
    network = {"start": "2025-01-01", "end": "2025-12-31"}
    # B's operator reads none of A's four candidates: how many there are is a small count they may not see.
    other = client_for(cast.operator_b).get(url, network)
    assert other.status_code == 200 and other.context["total"] is None and other.context["hidden"]
    own = client_for(cast.operator_a).get(url, {**network, "organisation": cast.org_a.pk})
    assert own.context["total"] == 4 and not own.context["hidden"]


def test_a_median_over_fewer_than_five_persons_is_suppressed():
    from programmes.indicators import Result
    from programmes.selectors import present

    small = present("jobs.time_to_first_job", Result(numerator=2, denominator=3, value=Decimal(40)), suppress=True)
    assert (small.value, small.denominator, small.suppressed) == (None, None, True)
    fine = present("jobs.time_to_first_job", Result(numerator=6, denominator=12, value=Decimal(40)), suppress=True)
    assert (fine.value, fine.numerator, fine.denominator) == (Decimal(40), 6, 12)
    exact = present("jobs.time_to_first_job", Result(numerator=2, denominator=3, value=Decimal(40)), suppress=False)
    assert exact.value == Decimal(40)


def test_time_to_first_job_breaks_down_with_a_median_per_group(cast):
    opened = D(2025, 1, 1)
    for unit, placed_after in ((cast.unit_a, (10, 30, 60)), (cast.unit_b, (5, 15))):
        for days in placed_after:
            person, _case = candidate(cast, unit=unit, opened=opened)
            make_path(cast, person, PathKind.HIRING_FIXED_TERM, opened + datetime.timedelta(days=days),
                      org=unit.organisation)  # fmt: skip
    for closed_after in (20, None):  # two of A's not placed: one case closed after 20 days, one followed to the end
        _person, case = candidate(cast, unit=cast.unit_a, opened=opened)
        if closed_after:
            close(case, opened + datetime.timedelta(days=closed_after), ClosingReason.OTHER)
    table = breakdown("jobs.time_to_first_job", YEAR, "polo")
    assert table.is_median
    cells = {c.label: (c.numerator, c.denominator, c.value) for c in table.cells}
    assert cells == {"Polo Lavoro Niguarda": (2, 2, 5), "Polo Lavoro Sacco": (3, 5, 60)}
    # All seven: S(5) = 6/7, S(10) = 5/7, S(15) = 4/7, one censored at 20, S(30) = 4/7 · 2/3 = 0.38: 30 days.
    assert (table.total.numerator, table.total.denominator, table.total.value) == (5, 7, 30)
    assert compute("jobs.time_to_first_job", YEAR).value == table.total.value

    from programmes.selectors import suppress_breakdown

    hidden = suppress_breakdown(table)
    # Two persons at Niguarda: hidden, and Sacco's five with them (complementary); the total of seven stays.
    assert [(c.denominator, c.value) for c in hidden.cells] == [(None, None), (None, None)]
    assert (hidden.total.denominator, hidden.total.value) == (7, 30)
