"""Job-inclusion outcome indicators over the paths (paths/): CELAV's, IPS employment, time to first job,
retention, internship conversion, and the equity gap between ASSTs.

A job is a path of a hiring kind (fixed-term, open-ended, Law 68, type-B cooperative) that took place (was ever
active, cohort.started). Everything is an aggregate in the database; the median time to first job walks the
(duration, event) pairs grouped by duration, a few hundred rows at most, never the persons.
"""

import datetime

from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import UnitKind
from cases.choices import Area
from cases.models import Case
from paths.choices import FINAL_STATUSES, HIRING_KINDS, INTERNSHIP_KINDS, PathStatus
from paths.models import Path
from people.models import Person
from programmes.indicators import (
    COHORT,
    FLOW,
    REGISTRY,
    Scope,
    counting_indicator,
    drilldown,
)
from programmes.indicators.cohort import (
    PERSON_BREAKDOWNS,
    _employed,
    candidates_qs,
    over_candidates,
    started,
)
from programmes.indicators.counting import Counting

PATH_BREAKDOWNS = PERSON_BREAKDOWNS
# A hiring "at the end" of a path starts by the path's end or within this many days after it.
HIRED_AT_END_DAYS = 30
# An internship is converted when a contract starts within this many days after its end.
CONVERSION_DAYS = 90


def _days_between(later, earlier) -> ExpressionWrapper:
    return ExpressionWrapper(later - earlier, output_field=DurationField())


def _hiring_after(days: int) -> Exists:
    """A job of the same person that started on or after the path's start and at most `days` after its end."""
    return Exists(
        Path.objects.filter(
            kind__in=HIRING_KINDS, person_id=OuterRef("person_id"), starts_on__gte=OuterRef("starts_on")
        )
        .filter(started())
        .annotate(gap=_days_between(F("starts_on"), OuterRef("ended_on")))
        .filter(gap__lte=datetime.timedelta(days=days))
    )


def _path_counting(units, numerator: Q | None) -> Counting:
    return Counting(units=units, numerator=numerator, person="person__", organisation="organisation_id",
                    team="case__unit_id")  # fmt: skip


def path_records(counting: Counting):
    """The paths behind a Counting's numerator."""
    return counting.units.filter(counting.numerator)


# ---------------------------------------------------------------------------------------------- CELAV


def closed_paths(scope: Scope):
    """Paths that are not themselves a job (courses, internships, volunteering) closed within the period by an
    organisation in scope."""
    qs = Path.objects.filter(
        status__in=FINAL_STATUSES,
        ended_on__gte=scope.start,
        ended_on__lte=scope.end,
        person__merged_into__isnull=True,
    ).exclude(kind__in=HIRING_KINDS)
    return scope.orgs(qs)


CONCLUDED = Q(status__in=[PathStatus.COMPLETED, PathStatus.CONVERTED])


@counting_indicator("celav.concluded", title=_("CELAV: paths concluded as planned among paths closed"),
                    unit="percent", period_rule=FLOW, breakdowns=PATH_BREAKDOWNS)  # fmt: skip
def concluded(scope: Scope) -> Counting:
    """Denominator: the paths that are not a job (courses, internships, volunteering) closed (completed,
    interrupted or converted) within the period by an organisation in scope. Numerator: those completed as
    planned or converted to a hiring; interrupted ones are not (seed 003: >= 80%)."""
    return _path_counting(closed_paths(scope), CONCLUDED)


@drilldown("celav.concluded", kind="path")
def concluded_records(scope: Scope):
    return path_records(concluded(scope))


def _hired_at_end() -> Q:
    return Q(status=PathStatus.CONVERTED) | Q(_hiring_after(HIRED_AT_END_DAYS))


@counting_indicator("celav.hired_at_end", title=_("CELAV: hired at path end among paths closed"), unit="percent",
                    period_rule=FLOW, breakdowns=PATH_BREAKDOWNS)  # fmt: skip
def hired_at_end(scope: Scope) -> Counting:
    """Denominator: as for celav.concluded, the paths that are not a job closed within the period. Numerator:
    those converted to a hiring, or after which the person started a job (any employer) between the path's
    start and 30 days after its end (seed 003: >= 30%)."""
    return _path_counting(closed_paths(scope), _hired_at_end())


@drilldown("celav.hired_at_end", kind="path")
def hired_at_end_records(scope: Scope):
    return path_records(hired_at_end(scope))


# ---------------------------------------------------------------------------------------------- employment


@counting_indicator("jobs.employment_rate", title=_("Employment rate (IPS)"), unit="percent", period_rule=COHORT,
                    breakdowns=PERSON_BREAKDOWNS)  # fmt: skip
def employment_rate(scope: Scope) -> Counting:
    """Denominator: the active candidates, the persons with a work-area case at a Polo Lavoro open at any time
    in the period (as cohort.candidates). Numerator: those of them who held a job on at least one day of the
    period (a job path, whoever runs it, that took place and overlaps the period), as IPS reports it."""
    return over_candidates(scope, _employed(scope))


@drilldown("jobs.employment_rate", kind="person")
def employment_rate_records(scope: Scope):
    return candidates_qs(scope).filter(_employed(scope))


# ---------------------------------------------------------------------------------------------- time to first job


def _entries(scope: Scope):
    """Each person's first taking in charge within the period: the earliest work-area case at a Polo Lavoro opened
    in the period by an organisation in scope, with the day the person's follow-up stops (the period's end, or the
    case's closing if earlier) and the start of their first job from the taking in charge to that day."""
    cases = scope.orgs(
        Case.objects.filter(
            area=Area.WORK,
            unit__kind=UnitKind.POLO_LAVORO,
            opened_on__gte=scope.start,
            opened_on__lte=scope.end,
            person__merged_into__isnull=True,
        )
    )
    earlier = cases.filter(person_id=OuterRef("person_id")).filter(
        Q(opened_on__lt=OuterRef("opened_on")) | Q(opened_on=OuterRef("opened_on"), pk__lt=OuterRef("pk"))
    )
    end = Value(scope.end)
    first_job = (
        Path.objects.filter(
            kind__in=HIRING_KINDS, person_id=OuterRef("person_id"), starts_on__gte=OuterRef("opened_on")
        )
        .filter(starts_on__lte=OuterRef("follow_up_end"))
        .filter(started())
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    return (
        cases.filter(~Exists(earlier))
        .annotate(follow_up_end=Least(end, Coalesce("closed_on", end)))
        .annotate(first_job=Subquery(first_job))
    )


@counting_indicator("jobs.time_to_first_job", title=_("Median time to first job (days)"), unit="days",
                    period_rule=COHORT, breakdowns=PERSON_BREAKDOWNS)  # fmt: skip
def time_to_first_job(scope: Scope) -> Counting:
    """The cohort: persons taken in charge in the period (their first work-area case at a Polo Lavoro opened in
    the period, by an organisation in scope). Each is followed from that day until the period's end, or the
    case's closing if earlier; the event is the start of their first job in that time. Those without a job by
    then are censored at that day. The value is the Kaplan–Meier median in days (empty when fewer than half are
    placed by the end of follow-up); `numerator` is the persons placed, `denominator` the cohort. The database
    returns the (days, placed, persons) triples grouped by the number of days (and by the group, for a
    breakdown); the product-limit walk over them is done in Python."""
    entries = _entries(scope).annotate(stop=Coalesce("first_job", "follow_up_end"))
    entries = entries.annotate(days=_days_between(F("stop"), F("opened_on")))
    return Counting(units=entries, numerator=Q(first_job__isnull=False), person="person__",
                    organisation="organisation_id", team="unit_id", durations="days")  # fmt: skip


@drilldown("jobs.time_to_first_job", kind="person")
def time_to_first_job_records(scope: Scope):
    return Person.objects.filter(pk__in=_entries(scope).filter(first_job__isnull=False).values("person_id"))


# ---------------------------------------------------------------------------------------------- retention


def _retention(scope: Scope, days: int) -> Counting:
    last_mark = min(scope.end, timezone.localdate())
    delta = datetime.timedelta(days=days)
    hirings = scope.orgs(
        Path.objects.filter(
            kind__in=HIRING_KINDS,
            starts_on__gte=scope.start - delta,
            starts_on__lte=last_mark - delta,
            person__merged_into__isnull=True,
        ).filter(started())
    ).annotate(kept_for=_days_between(F("ended_on"), F("starts_on")))
    kept = Q(ended_on__isnull=True) | Q(kept_for__gte=delta)
    return _path_counting(hirings, kept)


RETENTION_TITLES = {90: _("Jobs kept 90 days"), 180: _("Jobs kept 180 days"), 365: _("Jobs kept 365 days")}


def _register_retention(days: int):
    def counting(scope: Scope) -> Counting:
        return _retention(scope, days)

    counting.__doc__ = (
        f"Denominator: the jobs (hiring paths that took place) of organisations in scope whose {days}th day falls "
        f"within the period (and not after today): each job is judged once, in the period of its {days}-day mark. "
        f"Numerator: those not ended by then (still open, or ended {days} days or more after their start)."
    )
    key = f"jobs.retention_{days}"
    counting_indicator(key, title=RETENTION_TITLES[days], unit="percent", period_rule=FLOW,
                       breakdowns=PATH_BREAKDOWNS)(counting)  # fmt: skip

    def records(scope: Scope):
        return path_records(_retention(scope, days))

    drilldown(key, kind="path")(records)


for _days in (90, 180, 365):
    _register_retention(_days)


# ---------------------------------------------------------------------------------------------- internships


def _internships_ended(scope: Scope):
    qs = Path.objects.filter(
        kind__in=INTERNSHIP_KINDS,
        status__in=FINAL_STATUSES,
        ended_on__gte=scope.start,
        ended_on__lte=scope.end,
        person__merged_into__isnull=True,
    ).filter(started())
    return scope.orgs(qs)


@counting_indicator("jobs.internship_conversion", title=_("Internships followed by a contract within 90 days"),
                    unit="percent", period_rule=FLOW, breakdowns=PATH_BREAKDOWNS)  # fmt: skip
def internship_conversion(scope: Scope) -> Counting:
    """Denominator: the extra-curricular and inclusion internships that took place and ended (completed,
    interrupted or converted) within the period, of organisations in scope. Numerator: those converted to a
    hiring, or followed by a job with any employer starting between the internship's start and 90 days after
    its end."""
    return _path_counting(_internships_ended(scope), Q(status=PathStatus.CONVERTED) | Q(_hiring_after(CONVERSION_DAYS)))


@drilldown("jobs.internship_conversion", kind="path")
def internship_conversion_records(scope: Scope):
    return path_records(internship_conversion(scope))


# ---------------------------------------------------------------------------------------------- equity

# equity key → the indicator whose rate it compares between ASSTs.
EQUITY = {
    "equity.employment": "jobs.employment_rate",
    "equity.hired_at_end": "celav.hired_at_end",
    "equity.hospitalised": "cohort.hospitalised",
}

_EQUITY_TITLES = {
    "equity.employment": (_("Equity gap: employment rate by ASST"), COHORT),
    "equity.hired_at_end": (_("Equity gap: hiring at path end by ASST"), FLOW),
    "equity.hospitalised": (_("Equity gap: hospitalisation by ASST"), COHORT),
}


def _register_equity(key: str, base: str):
    def counting(scope: Scope) -> Counting:
        return REGISTRY[base].counting(scope)

    counting.__doc__ = (
        f"The rate of `{base}` for the whole scope (the figure), and broken down by ASST: each ASST's rate with "
        "its Wilson 95% confidence interval and its gap from the whole scope's rate. An organisation belongs to "
        "the ASST its territory lies in."
    )
    title, rule = _EQUITY_TITLES[key]
    counting_indicator(key, title=title, unit="percent", period_rule=rule, breakdowns=("asst",))(counting)
    drilldown(key, kind=REGISTRY[base].record_kind)(REGISTRY[base].records)


for _key, _base in EQUITY.items():
    _register_equity(_key, _base)
