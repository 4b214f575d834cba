"""Lombardy's internship rules as pure functions of a dated rule set (models.InternshipRules).

The checks return messages by field so that services raise them as one ValidationError and pages show each one
next to its field. Sources and the values in force are in docs/paths.md.
"""

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from paths.choices import BeneficiaryCategory

CENT = Decimal("0.01")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def max_months(rules, category: str) -> int:
    return {
        BeneficiaryCategory.STANDARD: rules.max_months_standard,
        BeneficiaryCategory.DISADVANTAGED: rules.max_months_disadvantaged,
        BeneficiaryCategory.DISABLED: rules.max_months_disabled,
    }[category]


def latest_end(rules, category: str, starts_on: datetime.date) -> datetime.date:
    """The last day an internship starting on `starts_on` may last to: 6 months from 1 January end on 30 June."""
    return add_months(starts_on, max_months(rules, category)) - datetime.timedelta(days=1)


def minimum_indemnity(rules, *, meal_vouchers: bool, hours_per_day: Decimal | None) -> Decimal:
    """The lowest monthly indemnity allowed: the short-day floor, else the meal-voucher floor, else the rule."""
    if hours_per_day is not None and hours_per_day <= rules.short_day_max_hours:
        return rules.min_indemnity_short_day
    if meal_vouchers:
        return rules.min_indemnity_meal_vouchers
    return rules.min_indemnity


def host_intern_limit(rules, employees: int) -> int:
    """How many interns a host with `employees` may have at once: 1 up to 5, 2 up to 20, 10% above (rounded down)."""
    if employees <= rules.small_host_max_employees:
        return rules.small_host_interns
    if employees <= rules.medium_host_max_employees:
        return rules.medium_host_interns
    return employees * rules.large_host_percent // 100


def internship_problems(
    rules,
    *,
    category: str,
    starts_on: datetime.date,
    planned_end_on: datetime.date | None,
    monthly_indemnity: Decimal | None,
    meal_vouchers: bool,
    hours_per_day: Decimal | None,
    host_employees: int | None,
    host_interns: int,
) -> dict[str, str]:
    """What breaks the rules, by field; empty when the internship complies.

    `host_interns` counts the host's other internships running at the same time; `host_employees` None means
    the host's size is unknown (no employer profile) and the limit cannot be checked: the page says so.
    """
    problems: dict[str, str] = {}
    if planned_end_on is None:
        problems["planned_end_on"] = _("An internship needs its planned end date.")
    else:
        last = latest_end(rules, category, starts_on)
        if planned_end_on > last:
            problems["planned_end_on"] = _(
                "An internship for this category lasts at most %(months)s months: it must end by %(date)s."
            ) % {"months": max_months(rules, category), "date": last.strftime("%d/%m/%Y")}
    floor = minimum_indemnity(rules, meal_vouchers=meal_vouchers, hours_per_day=hours_per_day)
    if monthly_indemnity is None:
        problems["monthly_indemnity"] = _("An internship needs its monthly indemnity.")
    elif monthly_indemnity < floor:
        problems["monthly_indemnity"] = _("The monthly indemnity must be at least €%(floor)s gross here.") % {
            "floor": floor
        }
    if host_employees is not None:
        limit = host_intern_limit(rules, host_employees)
        if host_interns + 1 > limit:
            problems["host"] = _(
                "A host with %(employees)s employees may have %(limit)s interns at once; it already has %(now)s."
            ) % {"employees": host_employees, "limit": limit, "now": host_interns}
    return problems


def indemnity_due(rules, *, monthly: Decimal, planned_hours: Decimal, attended_hours: Decimal) -> Decimal:
    """The month's indemnity: in full at the rule's attendance share or more, else pro rata with the rule's floor.

    No attendance at all gives nothing (a suspended month); the floor never exceeds the agreed amount.
    """
    if attended_hours <= 0 or planned_hours <= 0:
        return Decimal("0.00")
    share = Decimal(attended_hours) / Decimal(planned_hours)
    if share * 100 >= rules.full_indemnity_attendance:
        return Decimal(monthly).quantize(CENT)
    pro_rata = (Decimal(monthly) * share).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(pro_rata, min(Decimal(rules.reduced_indemnity_floor), Decimal(monthly))).quantize(CENT)
