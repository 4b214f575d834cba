"""Indicators of the services' activity: open cases by area, assessments completed (cases, assessments)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from assessments.choices import AssessmentStatus
from assessments.models import Assessment
from cases.choices import Area
from cases.models import Case
from programmes.indicators import FLOW, SNAPSHOT, Result, Scope, breakable, drilldown, indicator
from programmes.indicators.counting import Counting


def _open_at_end(scope: Scope):
    qs = Case.objects.filter(opened_on__lte=scope.end, person__merged_into__isnull=True).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=scope.end)
    )
    return scope.orgs(qs)


@indicator(
    "cases.open_by_area",
    title=_("Open cases by area"),
    unit="count",
    period_rule=SNAPSHOT,
    breakdowns=("area",),
)
def open_by_area(scope: Scope) -> Result:
    """Cases open on the last day of the period (opened on or before it, not closed by it), of the
    organisations in scope, by area."""
    by_area = dict(_open_at_end(scope).values_list("area").annotate(n=Count("pk")).order_by())
    rows = [(str(label), by_area.get(value, 0)) for value, label in Area.choices]
    total = sum(n for _label, n in rows)
    return Result(numerator=total, value=total, rows=rows)


@breakable("cases.open_by_area", breakdowns=("asst", "organisation", "polo", "sex", "age_band"))
def open_by_area_counting(scope: Scope) -> Counting:
    return Counting(units=_open_at_end(scope), person="person__", organisation="organisation_id", team="unit_id")


@drilldown("cases.open_by_area", kind="case")
def open_by_area_records(scope: Scope):
    return _open_at_end(scope)


def _completed_in(scope: Scope):
    qs = Assessment.objects.filter(
        status=AssessmentStatus.COMPLETED,
        assessed_on__gte=scope.start,
        assessed_on__lte=scope.end,
        person__merged_into__isnull=True,
    )
    return scope.orgs(qs)


@indicator(
    "assessments.completed",
    title=_("Assessments completed"),
    unit="count",
    period_rule=FLOW,
    breakdowns=("instrument",),
)
def assessments_completed(scope: Scope) -> Result:
    """Completed assessments dated within the period, by organisations in scope, by instrument."""
    by_instrument = list(
        _completed_in(scope)
        .values_list("instrument_version__instrument__title_it")
        .annotate(n=Count("pk"))
        .order_by("instrument_version__instrument__title_it")
    )
    total = sum(n for _label, n in by_instrument)
    return Result(numerator=total, value=total, rows=[(label, n) for label, n in by_instrument])


@breakable("assessments.completed", breakdowns=("asst", "organisation", "polo"))
def assessments_completed_counting(scope: Scope) -> Counting:
    return Counting(units=_completed_in(scope), person="person__", organisation="organisation_id", team="unit_id")


@drilldown("assessments.completed", kind="assessment")
def assessments_completed_records(scope: Scope):
    return _completed_in(scope)
