"""Lombardy's internship rules at their thresholds, and the indemnity computation (pure functions on dated data)."""

import datetime
from decimal import Decimal

import pytest

from paths import rules
from paths.choices import BeneficiaryCategory
from paths.models import InternshipRules

D = Decimal


@pytest.fixture
def r(db):
    return InternshipRules.objects.in_force_on(datetime.date(2025, 1, 1))


def problems(r, **overrides):
    args = {
        "category": BeneficiaryCategory.STANDARD,
        "starts_on": datetime.date(2025, 1, 1),
        "planned_end_on": datetime.date(2025, 6, 30),
        "monthly_indemnity": D("500"),
        "meal_vouchers": False,
        "hours_per_day": D("6"),
        "host_employees": 30,
        "host_interns": 0,
    }
    args.update(overrides)
    return rules.internship_problems(r, **args)


def test_the_rules_are_dated_data_from_the_2018_resolution(r):
    assert r.source.startswith("DGR Lombardia X/7763")
    assert InternshipRules.objects.in_force_on(datetime.date(2018, 2, 28)) is None


@pytest.mark.parametrize(
    ("category", "last_day"),
    [
        (BeneficiaryCategory.STANDARD, datetime.date(2025, 6, 30)),
        (BeneficiaryCategory.DISADVANTAGED, datetime.date(2025, 12, 31)),
        (BeneficiaryCategory.DISABLED, datetime.date(2026, 12, 31)),
    ],
)
def test_maximum_duration_at_its_threshold(r, category, last_day):
    assert "planned_end_on" not in problems(r, category=category, planned_end_on=last_day)
    over = problems(r, category=category, planned_end_on=last_day + datetime.timedelta(days=1))
    assert "planned_end_on" in over


def test_the_month_end_is_clamped():
    assert rules.add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert rules.add_months(datetime.date(2024, 8, 31), 6) == datetime.date(2025, 2, 28)


@pytest.mark.parametrize(
    ("indemnity", "vouchers", "hours", "ok"),
    [
        ("500", False, "6", True),
        ("499.99", False, "6", False),
        ("400", True, "6", True),
        ("399.99", True, "6", False),
        ("350", False, "4", True),
        ("349.99", False, "4", False),
        ("350", False, "4.01", False),  # just over 4 hours a day: the general floor applies
    ],
)
def test_minimum_indemnity_at_its_thresholds(r, indemnity, vouchers, hours, ok):
    found = problems(r, monthly_indemnity=D(indemnity), meal_vouchers=vouchers, hours_per_day=D(hours))
    assert ("monthly_indemnity" not in found) is ok


@pytest.mark.parametrize(
    ("employees", "limit"), [(0, 1), (5, 1), (6, 2), (20, 2), (21, 2), (30, 3), (39, 3), (40, 4), (200, 20)]
)
def test_hosts_limits_at_their_thresholds(r, employees, limit):
    assert rules.host_intern_limit(r, employees) == limit
    assert "host" not in problems(r, host_employees=employees, host_interns=limit - 1)
    assert "host" in problems(r, host_employees=employees, host_interns=limit)


def test_unknown_host_size_is_not_refused(r):
    assert "host" not in problems(r, host_employees=None, host_interns=50)


@pytest.mark.parametrize(
    ("attended", "due"),
    [
        ("80", "600.00"),  # 80% exactly: in full
        ("100", "600.00"),
        ("79", "474.00"),  # pro rata
        ("50", "300.00"),  # pro rata equals the floor
        ("40", "300.00"),  # below the floor: the floor
        ("0", "0.00"),  # no attendance (a suspended month): nothing
    ],
)
def test_indemnity_due(r, attended, due):
    assert rules.indemnity_due(r, monthly=D("600"), planned_hours=D("100"), attended_hours=D(attended)) == D(due)


def test_the_floor_never_exceeds_the_agreed_amount(r):
    # A short-day internship at €350: at 10% attendance the floor (€300) applies, not more than agreed.
    assert rules.indemnity_due(r, monthly=D("350"), planned_hours=D("80"), attended_hours=D("8")) == D("300.00")
    assert rules.indemnity_due(r, monthly=D("250"), planned_hours=D("80"), attended_hours=D("8")) == D("250.00")
