"""Each indicator on a small hand-built dataset with known answers, empty periods and zero denominators included."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.choices import OrganisationKind, TerritoryKind, UnitKind
from accounts.models import Organisation, Territory, Unit
from assessments.choices import AssessmentStatus
from assessments.models import Assessment, Instrument, InstrumentVersion
from cases.choices import Area, ClosingReason
from core.testing.cast import make_case
from opportunities.models import EmployerContact, EmployerProfile
from plans.choices import GoalArea, Outcome, PlanStatus
from plans.models import Goal, GoalOutcome, Plan, Review
from programmes.indicators import REGISTRY, Scope, compute
from programmes.selectors import make_scope
from programmes.tests.conftest import close, make_referral, person_of

D = datetime.date
YEAR = Scope(start=D(2025, 1, 1), end=D(2025, 12, 31))
EMPTY = Scope(start=D(2010, 1, 1), end=D(2010, 12, 31))


def test_persons_reached_among_persons_referred(cast):
    p1, p2, p3, p4 = (person_of(cast.org_a) for _ in range(4))
    make_referral(cast, p1, sent=D(2025, 3, 1), decided=D(2025, 3, 5))
    make_referral(cast, p2, sent=D(2025, 3, 1), decided=D(2025, 3, 3), accept=False)
    make_referral(cast, p2, sent=D(2025, 4, 1), decided=D(2025, 4, 11))  # p2 counted once, reached
    make_referral(cast, p3, sent=D(2025, 5, 1))  # still waiting
    make_referral(cast, p4, sent=D(2024, 12, 31), decided=D(2025, 1, 2))  # sent before the period
    result = compute("referrals.reached", YEAR)
    assert (result.numerator, result.denominator, result.value) == (2, 3, Decimal("66.7"))
    empty = compute("referrals.reached", EMPTY)
    assert (empty.numerator, empty.denominator, empty.value) == (0, 0, None)


def test_median_waiting_days_of_referrals_decided_in_the_period(cast):
    people = [person_of(cast.org_a) for _ in range(4)]
    make_referral(cast, people[0], sent=D(2025, 3, 1), decided=D(2025, 3, 3))  # 2 days
    make_referral(cast, people[1], sent=D(2025, 3, 1), decided=D(2025, 3, 5), accept=False)  # 4 days
    make_referral(cast, people[2], sent=D(2025, 3, 1), decided=D(2025, 3, 11))  # 10 days
    make_referral(cast, people[3], sent=D(2025, 3, 1))  # waiting: not in it
    result = compute("referrals.waiting_days", YEAR)
    assert (result.numerator, result.value) == (3, Decimal("4.0"))
    assert compute("referrals.waiting_days", EMPTY).value is None


def test_open_cases_by_area_at_the_end_of_the_period(cast):
    for _ in range(3):
        make_case(person=person_of(cast.org_a), unit=cast.unit_a, area=Area.WORK, opened_on=D(2025, 2, 1))
    make_case(person=person_of(cast.org_a), unit=cast.cps_a, area=Area.HOUSING, opened_on=D(2025, 2, 1))
    closed = make_case(person=person_of(cast.org_a), unit=cast.unit_a, area=Area.WORK, opened_on=D(2025, 2, 1))
    close(closed, D(2025, 6, 1), ClosingReason.GOALS_MET)
    make_case(person=person_of(cast.org_a), unit=cast.unit_a, area=Area.WORK, opened_on=D(2026, 1, 5))
    result = compute("cases.open_by_area", YEAR)
    assert [n for _label, n in result.rows] == [3, 1, 0, 0]
    assert result.value == 4
    # Closed on 1 June: open at the end of May.
    assert compute("cases.open_by_area", Scope(start=D(2025, 1, 1), end=D(2025, 5, 31))).value == 5


def test_assessments_completed_in_the_period(cast):
    instrument = Instrument.objects.create(code="test", title_it="Strumento di prova", title_en="Test instrument")
    version = InstrumentVersion.objects.create(
        instrument=instrument, number=1, definition={"scoring": {}}, content_hash="x", source_file="test.yaml"
    )
    person = person_of(cast.org_a)
    for day, status in (
        (D(2025, 2, 1), AssessmentStatus.COMPLETED),
        (D(2025, 3, 1), AssessmentStatus.COMPLETED),
        (D(2025, 4, 1), AssessmentStatus.DRAFT),
        (D(2024, 4, 1), AssessmentStatus.COMPLETED),
    ):
        Assessment.objects.create(
            person=person,
            instrument_version=version,
            organisation=cast.org_a,
            unit=cast.unit_a,
            author=cast.operator_a,
            status=status,
            assessed_on=day,
            completed_at=None
            if status == AssessmentStatus.DRAFT
            else datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        )
    result = compute("assessments.completed", YEAR)
    assert (result.value, result.rows) == (2, [("Strumento di prova", 2)])
    assert compute("assessments.completed", EMPTY).value == 0


def test_employer_contacts_and_law68_places_covered(cast):
    big = EmployerProfile.objects.create(organisation=cast.company, employees=120, law68_covered=3)  # quota 8
    coop = Organisation.objects.create(name="Coop B", kind=OrganisationKind.SOCIAL_COOP)
    small = EmployerProfile.objects.create(organisation=coop, employees=40, law68_covered=5)  # quota 2, 3 extra
    assert (big.law68_quota, small.law68_quota) == (8, 2)
    for employer, day in (
        (big, D(2025, 1, 10)),
        (big, D(2025, 2, 10)),
        (small, D(2025, 3, 10)),
        (small, D(2024, 3, 1)),
    ):
        EmployerContact.objects.create(
            employer=employer,
            organisation=cast.org_a,
            operator=cast.operator_a,
            contacted_on=day,
            channel="phone",
            discussed="Fabbisogni",
            outcome="informed",
        )
    contacts = compute("employers.contacts", YEAR)
    assert (contacts.numerator, contacts.denominator) == (3, 2)
    covered = compute("employers.law68_covered", YEAR)
    # (3 + min(5, 2)) covered of (8 + 2) due.
    assert (covered.numerator, covered.denominator, covered.value) == (5, 10, Decimal("50.0"))


def test_seed_000_cohort_from_pontes_records(cast):
    groups = ["F20-F29", "F20-F29", "F60-F69", ""]
    cases = [
        make_case(
            person=person_of(cast.org_a, diagnosis_group=g), unit=cast.unit_a, area=Area.WORK, opened_on=D(2024, 6, 1)
        )
        for g in groups
    ]
    close(cases[0], D(2025, 3, 1), ClosingReason.DROP_OUT)
    close(cases[1], D(2024, 12, 1), ClosingReason.DROP_OUT)  # closed before the period: not a candidate
    make_case(person=person_of(cast.org_a), unit=cast.cps_a, area=Area.WORK, opened_on=D(2025, 1, 1))  # not a Polo
    assert compute("cohort.candidates", YEAR).value == 3
    drop = compute("cohort.drop_out", YEAR)
    assert (drop.numerator, drop.denominator, drop.value) == (1, 3, Decimal("33.3"))
    with translation.override("en"):
        diagnosis = compute("cohort.diagnosis", YEAR)
    assert diagnosis.rows == [
        ("F20–F29 Schizophrenia, schizotypal and delusional disorders", 1),
        ("F60–F69 Disorders of adult personality and behaviour", 1),
    ]
    assert (diagnosis.numerator, diagnosis.denominator) == (2, 3)
    assert compute("cohort.drop_out", EMPTY).value is None


@pytest.mark.parametrize(
    "key", ["cohort.training", "cohort.hired", "celav.concluded", "jobs.time_to_first_job", "equity.employment"]
)
def test_indicators_over_paths_compute_now_and_invent_nothing(db, key):
    # The paths exist: nothing waits for them; with no records the figures are zero, never made up.
    result = compute(key, YEAR)
    assert result.waiting_for == ()
    assert result.numerator == 0 and result.value is None
    assert not [k for k, d in REGISTRY.items() if "paths" in d.waiting_for]


def test_home_support_and_meals_wait_for_the_community_services(db):
    assert compute("community.home_support", YEAR).waiting_for == ("community services",)


def test_isr4_2it_counts_participants_with_a_goal_achieved_at_a_review_of_the_period(cast):
    comune = Organisation.objects.create(name="Comune di Milano", kind=OrganisationKind.MUNICIPALITY)
    social = Unit.objects.create(organisation=comune, name="Servizio sociale", kind=UnitKind.SOCIAL_SERVICE)

    def participant_reviewed(held_on, outcome, *, status=PlanStatus.ACTIVE):
        person = person_of(comune)
        make_case(person=person, unit=social, area=Area.HOUSING, opened_on=D(2025, 1, 5))
        approved = {} if status == PlanStatus.DRAFT else {"approved_at": timezone.now(), "person_agreed": True}
        plan = Plan.objects.create(
            person=person, organisation=comune, number=1, title="Progetto", status=status, created_by=cast.operator_a,
            **approved,
        )  # fmt: skip
        goal = Goal.objects.create(plan=plan, area=GoalArea.HOUSING, title="Casa")
        review = Review.objects.create(plan=plan, planned_on=held_on, held_on=held_on)
        GoalOutcome.objects.create(review=review, goal=goal, outcome=outcome)
        return person

    improved = participant_reviewed(D(2025, 6, 30), Outcome.ACHIEVED)
    participant_reviewed(D(2025, 6, 30), Outcome.PARTLY)  # partly achieved is not "improved"
    participant_reviewed(D(2024, 6, 30), Outcome.ACHIEVED)  # reviewed before the period
    participant_reviewed(D(2025, 6, 30), Outcome.ACHIEVED, status=PlanStatus.DRAFT)  # a draft is not a plan yet
    result = compute("community.improved", YEAR)
    assert (result.waiting_for, result.numerator, result.value) == ((), 1, 1)
    assert list(REGISTRY["community.improved"].records(YEAR)) == [improved]
    assert compute("community.improved", Scope(start=D(2010, 1, 1), end=D(2010, 12, 31))).numerator == 0


def test_eeco01_counts_persons_in_charge_of_the_comune_and_third_sector(cast):
    comune = Organisation.objects.create(name="Comune di Milano", kind=OrganisationKind.MUNICIPALITY)
    social = Unit.objects.create(organisation=comune, name="Servizio sociale", kind=UnitKind.SOCIAL_SERVICE)
    person = person_of(comune)
    make_case(person=person, unit=social, area=Area.HOUSING, opened_on=D(2025, 1, 5))
    make_case(person=person, unit=social, area=Area.WORK, opened_on=D(2025, 2, 5))  # same person, once
    make_case(person=person_of(cast.org_a), unit=cast.unit_a, area=Area.HOUSING, opened_on=D(2025, 1, 5))  # ASST
    assert compute("community.participants", YEAR).value == 1


def test_territory_and_organisation_narrow_the_scope(cast):
    ats = Territory.objects.create(code="ATS", name="ATS", kind=TerritoryKind.ATS)
    area_a = Territory.objects.create(code="A", name="Area A", kind=TerritoryKind.ASST, parent=ats)
    cast.org_a.territory = area_a
    cast.org_a.save()
    make_case(person=person_of(cast.org_a), unit=cast.unit_a, opened_on=D(2025, 1, 5))
    make_case(person=person_of(cast.org_b), unit=cast.unit_b, opened_on=D(2025, 1, 5))
    by = {
        "network": make_scope(start=YEAR.start, end=YEAR.end),
        "ats": make_scope(start=YEAR.start, end=YEAR.end, territory=ats),
        "area_a": make_scope(start=YEAR.start, end=YEAR.end, territory=area_a),
        "org_b": make_scope(start=YEAR.start, end=YEAR.end, organisation=cast.org_b),
        "area_a_and_org_b": make_scope(start=YEAR.start, end=YEAR.end, territory=area_a, organisation=cast.org_b),
    }
    values = {name: compute("cohort.candidates", scope).value for name, scope in by.items()}
    assert values == {"network": 2, "ats": 1, "area_a": 1, "org_b": 1, "area_a_and_org_b": 0}


def test_every_indicator_is_documented():
    assert len(REGISTRY) >= 25
    for definition in REGISTRY.values():
        assert definition.description, definition.key
