"""Suppression (complementary included), who gets exact figures, and the status of a figure against its target."""

import datetime
from decimal import Decimal

import pytest

from programmes.choices import Direction, TargetStatus
from programmes.indicators import Result, Scope
from programmes.models import ProgrammeIndicator
from programmes.selectors import must_suppress, present, suppress_rows, target_status

D = datetime.date
SCOPE = Scope(start=D(2025, 1, 1), end=D(2025, 12, 31))


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    assert suppress_rows([("a", 10), ("b", 2), ("c", 7), ("d", 0)]) == [("a", 10), ("b", None), ("c", None), ("d", 0)]
    assert suppress_rows([("a", 3), ("b", 2), ("c", 7)]) == [("a", None), ("b", None), ("c", 7)]
    assert suppress_rows([("a", 10), ("b", 0)]) == [("a", 10), ("b", 0)]


def test_a_rate_hides_its_numerator_when_it_or_its_complement_is_small():
    small = present("referrals.reached", Result(numerator=3, denominator=40, value=Decimal("7.5")), suppress=True)
    assert (small.numerator, small.denominator, small.value, small.suppressed) == (None, 40, None, True)
    complement = present("referrals.reached", Result(numerator=38, denominator=40, value=Decimal(95)), suppress=True)
    assert (complement.numerator, complement.value) == (None, None)
    tiny = present("referrals.reached", Result(numerator=2, denominator=3, value=Decimal("66.7")), suppress=True)
    assert (tiny.numerator, tiny.denominator, tiny.value) == (None, None, None)
    fine = present("referrals.reached", Result(numerator=20, denominator=40, value=Decimal(50)), suppress=True)
    assert (fine.numerator, fine.denominator, fine.value, fine.suppressed) == (20, 40, Decimal(50), False)
    exact = present("referrals.reached", Result(numerator=2, denominator=3, value=Decimal("66.7")), suppress=False)
    assert (exact.numerator, exact.denominator) == (2, 3)


def test_a_count_below_five_is_hidden_and_zero_is_not():
    assert present("cohort.candidates", Result(numerator=4, value=4), suppress=True).value is None
    assert present("cohort.candidates", Result(numerator=0, value=0), suppress=True).value == 0


def test_only_figures_of_ones_own_organisations_are_exact(cast):
    own = Scope(start=SCOPE.start, end=SCOPE.end, organisation_ids=frozenset({cast.org_a.pk}))
    other = Scope(start=SCOPE.start, end=SCOPE.end, organisation_ids=frozenset({cast.org_b.pk}))
    assert must_suppress(cast.analyst, own) and must_suppress(cast.analyst, SCOPE)
    assert not must_suppress(cast.coordinator_a, own)
    assert must_suppress(cast.coordinator_a, other) and must_suppress(cast.coordinator_a, SCOPE)


def _pi(**fields):
    base = {"code": "X", "title": "X", "source": "test", "unit": "count", "direction": Direction.AT_LEAST}
    return ProgrammeIndicator(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "value", "expected"),
    [
        ({"target": Decimal(110)}, Decimal(110), TargetStatus.MET),
        ({"target": Decimal(110)}, Decimal(109), TargetStatus.OFF_TRACK),
        ({"target": Decimal(90), "unit": "percent"}, Decimal("89.9"), TargetStatus.OFF_TRACK),
        ({"target": Decimal(3), "direction": Direction.AT_MOST, "unit": "percent"}, Decimal(2), TargetStatus.MET),
        ({"target": Decimal(3), "direction": Direction.AT_MOST, "unit": "percent"}, Decimal(4), TargetStatus.OFF_TRACK),
        ({"target": Decimal(852), "due_on": D(2024, 12, 31)}, Decimal(851), TargetStatus.MISSED),
        # 364 of 729 days elapsed at the end of 2025: on track from 852 × 364 / 729 = 425.4.
        ({"target": Decimal(852), "due_on": D(2026, 12, 31)}, Decimal(426), TargetStatus.ON_TRACK),
        ({"target": Decimal(852), "due_on": D(2026, 12, 31)}, Decimal(300), TargetStatus.OFF_TRACK),
        ({}, Decimal(5), TargetStatus.NO_TARGET),
        ({"target": Decimal(4)}, None, TargetStatus.NO_DATA),
    ],
)
def test_status_against_target(fields, value, expected):
    status = target_status(_pi(**fields), value, figure=None, scope=SCOPE, starts_on=D(2025, 1, 1), today=D(2026, 1, 1))
    assert status == expected
