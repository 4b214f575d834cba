"""Seed 000's cohort table, produced from Ponte's own records for any period and territory.

The candidates are the persons with a work-area case at a Polo Lavoro open at any time in the period. Their
training, internships, hirings, hospitalisations and drop-outs come from the paths and their events (paths/).
Every row is a Counting over persons, so each can be broken down by territory, Polo Lavoro and the person's
attributes.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import UnitKind
from cases.choices import Area, ClosingReason
from cases.models import Case
from paths.choices import HIRING_KINDS, INTERNSHIP_KINDS, EventKind, PathKind, PathStatus
from paths.models import Path, PathChange, ProgrammeEvent
from people.choices import DiagnosisGroup
from people.models import Person
from programmes.indicators import COHORT, Result, Scope, counting_indicator, drilldown, indicator, rate
from programmes.indicators.counting import Counting, attributed

# Breakdowns of every count over the candidates.
PERSON_BREAKDOWNS = ("asst", "organisation", "polo", "diagnosis", "sex", "age_band", "law68")


def candidate_cases(scope: Scope):
    """Work-area cases at a Polo Lavoro, open at any time within the period, of organisations in scope."""
    qs = Case.objects.filter(
        area=Area.WORK,
        unit__kind=UnitKind.POLO_LAVORO,
        opened_on__lte=scope.end,
        person__merged_into__isnull=True,
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start))
    return scope.orgs(qs)


def candidates_qs(scope: Scope):
    """The candidates of the period as persons (each once)."""
    return Person.objects.filter(pk__in=candidate_cases(scope).values("person_id"))


def over_candidates(scope: Scope, numerator: Q | None = None, *, within=None) -> Counting:
    """A Counting over the candidates (or `within`, a subset of them); a candidate followed by two organisations
    or Poli Lavoro belongs, in a breakdown, to the one of their latest case in the period."""
    anchor = candidate_cases(scope)
    order = ("-opened_on", "-pk")
    return Counting(
        units=within if within is not None else candidates_qs(scope),
        numerator=numerator,
        person="",
        organisation=attributed(anchor, "organisation_id", order=order),
        team=attributed(anchor, "unit_id", order=order),
    )


# ---------------------------------------------------------------------------------------------- paths' facts

# A path took place when it was ever active: these statuses are reached only through "active"; an interrupted
# path took place when its history shows it active (a planned path may be interrupted before it starts).
STARTED_STATUSES = (PathStatus.ACTIVE, PathStatus.SUSPENDED, PathStatus.COMPLETED, PathStatus.CONVERTED)


def started() -> Q:
    """Paths that took place (were ever active), as a condition on Path."""
    was_active = Exists(PathChange.objects.filter(path_id=OuterRef("pk"), to_status=PathStatus.ACTIVE))
    return Q(status__in=STARTED_STATUSES) | (Q(status=PathStatus.INTERRUPTED) & was_active)


def paths_in(scope: Scope, kinds) -> "Path.objects":
    """Paths of these kinds that took place on at least one day of the period (any organisation's)."""
    return (
        Path.objects.filter(kind__in=kinds, starts_on__lte=scope.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))
        .filter(started())
    )


def jobs_in(scope: Scope):
    """Jobs (hirings, Law 68 hirings, type-B cooperative work) held on at least one day of the period."""
    return paths_in(scope, HIRING_KINDS)


def hospitalisations_in(scope: Scope):
    """Hospitalisations for psychic decompensation admitted within the period, whoever recorded them."""
    return ProgrammeEvent.objects.filter(
        kind=EventKind.HOSPITALISATION, occurred_on__gte=scope.start, occurred_on__lte=scope.end
    )


def _person_in(qs) -> Q:
    return Q(pk__in=qs.values("person_id"))


# ---------------------------------------------------------------------------------------------- the table


def _count_candidates(scope: Scope) -> int:
    return candidate_cases(scope).aggregate(n=Count("person_id", distinct=True))["n"]


@counting_indicator("cohort.candidates", title=_("Candidates in the period"), unit="count", period_rule=COHORT,
                    breakdowns=PERSON_BREAKDOWNS)  # fmt: skip
def candidates(scope: Scope) -> Counting:
    """Distinct persons with a work-area case at a Polo Lavoro open at any time in the period (seed 000:
    906 candidates from 2012 to 30 June 2018)."""
    return over_candidates(scope)


@drilldown("cohort.candidates", kind="person")
def candidates_records(scope: Scope):
    return candidates_qs(scope)


def _training(scope: Scope) -> Q:
    return _person_in(paths_in(scope, [PathKind.COURSE]))


def _internship(scope: Scope) -> Q:
    return _person_in(paths_in(scope, INTERNSHIP_KINDS))


def _hired(scope: Scope) -> Q:
    return _person_in(
        Path.objects.filter(kind__in=HIRING_KINDS, starts_on__gte=scope.start, starts_on__lte=scope.end).filter(
            started()
        )
    )


def _hospitalised(scope: Scope) -> Q:
    return _person_in(hospitalisations_in(scope))


def _at_work() -> Exists:
    """On an event: the person held a job on the day it occurred (between the job's start and its end)."""
    return Exists(
        Path.objects.filter(
            kind__in=HIRING_KINDS, person_id=OuterRef("person_id"), starts_on__lte=OuterRef("occurred_on")
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("occurred_on")))
        .filter(started())
    )


def _hospitalised_at_work(scope: Scope) -> Q:
    """Admitted within the period on a day when they held a job."""
    return _person_in(hospitalisations_in(scope).filter(_at_work()))


def _employed(scope: Scope) -> Q:
    return _person_in(jobs_in(scope))


def _drop_out(scope: Scope) -> Q:
    """A drop-out event in the period, or a Polo Lavoro work case closed as a drop-out in the period (a case
    closed with that reason without the event being recorded)."""
    events = ProgrammeEvent.objects.filter(
        kind=EventKind.DROP_OUT, occurred_on__gte=scope.start, occurred_on__lte=scope.end
    )
    closed = candidate_cases(scope).filter(
        closing_reason=ClosingReason.DROP_OUT, closed_on__gte=scope.start, closed_on__lte=scope.end
    )
    return _person_in(events) | _person_in(closed)


# key, title, seed 000's figure, the numerator's condition, its definition.
_ROWS = (
    ("cohort.training", _("Candidates with at least one training"), "45%", _training,
     "took part in an orientation or training course (a course path that took place) on at least one day of the "
     "period"),
    ("cohort.internship", _("Candidates with at least one extra-curricular internship"), "38%", _internship,
     "were in an extra-curricular or inclusion internship that took place on at least one day of the period"),
    ("cohort.hired", _("Candidates hired at least once"), "22%", _hired,
     "started a job (a hiring, fixed-term or open-ended, a Law 68 hiring or work in a type-B cooperative) within "
     "the period"),
    ("cohort.hospitalised", _("Candidates hospitalised for psychic decompensation"), "6%", _hospitalised,
     "were admitted to hospital for psychic decompensation within the period (every recorded admission counts, "
     "whoever may read it)"),
    ("cohort.drop_out", _("Drop-out"), "3%", _drop_out,
     "dropped out of the programme within the period: a drop-out event, or a Polo Lavoro work case closed as a "
     "drop-out"),
)  # fmt: skip


def _register_row(key, title, figure, condition, text):
    def counting(scope: Scope) -> Counting:
        return over_candidates(scope, condition(scope))

    counting.__doc__ = f"Among the candidates of the period, those who {text} (seed 000: {figure})."
    counting_indicator(key, title=title, unit="percent", period_rule=COHORT, breakdowns=PERSON_BREAKDOWNS)(counting)

    if key == "cohort.hospitalised":
        return  # its records are the admissions, which only treating clinicians read: below

    def records(scope: Scope):
        return candidates_qs(scope).filter(condition(scope))

    drilldown(key, kind="person")(records)


for _row in _ROWS:
    _register_row(*_row)


@counting_indicator("cohort.hospitalised_employed", title=_("Hospitalised among the candidates at work"),
                    unit="percent", period_rule=COHORT, breakdowns=PERSON_BREAKDOWNS)  # fmt: skip
def hospitalised_employed(scope: Scope) -> Counting:
    """Among the candidates of the period who held a job on at least one day of it, those admitted to hospital
    for psychic decompensation within the period on a day they held a job (seed 000: 4%)."""
    employed = candidates_qs(scope).filter(_employed(scope))
    return over_candidates(scope, _hospitalised_at_work(scope), within=employed)


def first_admission_of_each(events):
    """One admission per person (their first in `events`), so that the list has as many rows as the count."""
    earlier = events.filter(person_id=OuterRef("person_id")).filter(
        Q(occurred_on__lt=OuterRef("occurred_on")) | Q(occurred_on=OuterRef("occurred_on"), pk__lt=OuterRef("pk"))
    )
    return events.filter(~Exists(earlier))


@drilldown("cohort.hospitalised", kind="event")
def hospitalised_records(scope: Scope):
    """The candidates' admissions: listed as events, so that only treating clinicians read them (restrict)."""
    events = hospitalisations_in(scope).filter(person_id__in=candidates_qs(scope).values("pk"))
    return first_admission_of_each(events)


@drilldown("cohort.hospitalised_employed", kind="event")
def hospitalised_employed_records(scope: Scope):
    employed = candidates_qs(scope).filter(_employed(scope))
    return first_admission_of_each(
        hospitalisations_in(scope).filter(person_id__in=employed.values("pk")).filter(_at_work())
    )


@indicator("cohort.diagnosis", title=_("Candidates by diagnosis group"), unit="percent", period_rule=COHORT)
def diagnosis(scope: Scope) -> Result:
    """The candidates of the period by ICD-10 diagnosis group; the rate is the share with a recorded group
    (seed 000: F20–F29 40%, F60–F69 26%, F30–F39 22%, F40–F48 8%)."""
    persons = candidates_qs(scope)
    by_group = dict(
        persons.exclude(diagnosis_group="").values_list("diagnosis_group").annotate(n=Count("pk")).order_by()
    )
    rows = [(str(label), by_group[value]) for value, label in DiagnosisGroup.choices if by_group.get(value)]
    recorded = sum(by_group.values())
    total = _count_candidates(scope)
    return Result(numerator=recorded, denominator=total, value=rate(recorded, total), rows=rows)


# The rows of seed 000's table, in its order.
COHORT_TABLE = (
    "cohort.candidates",
    "cohort.training",
    "cohort.internship",
    "cohort.hired",
    "cohort.hospitalised",
    "cohort.hospitalised_employed",
    "cohort.drop_out",
)
