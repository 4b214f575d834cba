"""Seed 000's 20% rule as a programme indicator: activities not attributable to a single patient."""

import datetime
from decimal import Decimal

from django.urls import reverse

from paths.choices import ActivityKind
from paths.models import Activity
from programmes.indicators import REGISTRY, Scope, compute

D = datetime.date
YEAR = Scope(start=D(2025, 1, 1), end=D(2025, 12, 31))
MARCH = D(2025, 3, 4)


def _activity(cast, *, person=None, org=None, operator=None, day=MARCH, code="TR106"):
    return Activity.objects.create(
        organisation=org or cast.org_a,
        operator=operator or cast.operator_a,
        profession="educator",
        programme_code=code,
        performed_on=day,
        minutes=30,
        kind=ActivityKind.INTERVIEW if person else ActivityKind.NETWORK_MEETING,
        person=person,
    )


def test_share_of_activities_naming_no_person(cast, person_a):
    for _ in range(3):
        _activity(cast, person=person_a)
    _activity(cast)  # 1 of 4 names no person: 25%
    _activity(cast, day=D(2024, 12, 31))  # before the period
    _activity(cast, code="OTHER")  # another programme's activity
    _activity(cast, org=cast.org_b, operator=cast.operator_b)  # another organisation: in the network's figure only
    network = compute("activities.non_attributable", YEAR)
    assert (network.numerator, network.denominator, network.value) == (2, 5, Decimal("40.0"))
    own = compute("activities.non_attributable", Scope(YEAR.start, YEAR.end, frozenset({cast.org_a.pk})))
    assert (own.numerator, own.denominator, own.value) == (1, 4, Decimal("25.0"))


def test_empty_period_has_no_share(cast):
    result = compute("activities.non_attributable", Scope(D(2010, 1, 1), D(2010, 12, 31)))
    assert (result.numerator, result.denominator, result.value) == (0, 0, None)


def test_drill_down_lists_the_activities_behind_the_numerator(cast, person_a, client_for):
    _activity(cast, person=person_a)
    shared = _activity(cast)
    records = REGISTRY["activities.non_attributable"].records(YEAR)
    assert list(records.values_list("pk", flat=True)) == [shared.pk]
    response = client_for(cast.coordinator_a).get(
        reverse("programmes:records", args=["activities.non_attributable"]),
        {"start": "2025-01-01", "end": "2025-12-31"},
    )
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1
