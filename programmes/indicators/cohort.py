"""Seed 000's cohort table, produced from Ponte's own records for any period and territory.

The candidates are the persons with a work-area case at a Polo Lavoro open at any time in the period. The other
rows of the table (training, internship, hiring, hospitalisation) need the job-inclusion paths and their events
(paths/, being built): they are registered as waiting, and shown as such, never invented.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import UnitKind
from cases.choices import Area, ClosingReason
from cases.models import Case
from people.choices import DiagnosisGroup
from people.models import Person
from programmes.indicators import COHORT, Result, Scope, drilldown, indicator, rate

PATHS = "paths"


def candidate_cases(scope: Scope):
    """Work-area cases at a Polo Lavoro, open at any time within the period, of organisations in scope."""
    qs = Case.objects.filter(
        area=Area.WORK,
        unit__kind=UnitKind.POLO_LAVORO,
        opened_on__lte=scope.end,
        person__merged_into__isnull=True,
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start))
    return scope.orgs(qs)


def _count_candidates(scope: Scope) -> int:
    return candidate_cases(scope).aggregate(n=Count("person_id", distinct=True))["n"]


@indicator("cohort.candidates", title=_("Candidates in the period"), unit="count", period_rule=COHORT,
           breakdowns=("organisation", "diagnosis group", "sex"))  # fmt: skip
def candidates(scope: Scope) -> Result:
    """Distinct persons with a work-area case at a Polo Lavoro open at any time in the period (seed 000:
    906 candidates from 2012 to 30 June 2018)."""
    n = _count_candidates(scope)
    return Result(numerator=n, value=n)


@drilldown("cohort.candidates", kind="person")
def candidates_records(scope: Scope):
    return Person.objects.filter(pk__in=candidate_cases(scope).values("person_id"))


def _drop_out_cases(scope: Scope):
    return candidate_cases(scope).filter(
        closing_reason=ClosingReason.DROP_OUT, closed_on__gte=scope.start, closed_on__lte=scope.end
    )


@indicator("cohort.drop_out", title=_("Drop-out"), unit="percent", period_rule=COHORT)
def drop_out(scope: Scope) -> Result:
    """Among the candidates of the period: those whose Polo Lavoro work case was closed as a drop-out within the
    period (seed 000: 3%)."""
    dropped = _drop_out_cases(scope).aggregate(n=Count("person_id", distinct=True))["n"]
    total = _count_candidates(scope)
    return Result(numerator=dropped, denominator=total, value=rate(dropped, total))


@drilldown("cohort.drop_out", kind="person")
def drop_out_records(scope: Scope):
    return Person.objects.filter(pk__in=_drop_out_cases(scope).values("person_id"))


@indicator("cohort.diagnosis", title=_("Candidates by diagnosis group"), unit="percent", period_rule=COHORT,
           breakdowns=("diagnosis group",))  # fmt: skip
def diagnosis(scope: Scope) -> Result:
    """The candidates of the period by ICD-10 diagnosis group; the rate is the share with a recorded group
    (seed 000: F20–F29 40%, F60–F69 26%, F30–F39 22%, F40–F48 8%)."""
    persons = Person.objects.filter(pk__in=candidate_cases(scope).values("person_id"))
    by_group = dict(
        persons.exclude(diagnosis_group="").values_list("diagnosis_group").annotate(n=Count("pk")).order_by()
    )
    rows = [(str(label), by_group[value]) for value, label in DiagnosisGroup.choices if by_group.get(value)]
    recorded = sum(by_group.values())
    total = _count_candidates(scope)
    return Result(numerator=recorded, denominator=total, value=rate(recorded, total), rows=rows)


for _key, _title, _doc in (
    ("cohort.training", _("Candidates with at least one training"), "seed 000: 45%"),
    ("cohort.internship", _("Candidates with at least one extra-curricular internship"), "seed 000: 38%"),
    ("cohort.hired", _("Candidates hired at least once"), "seed 000: 22%"),
    ("cohort.hospitalised", _("Candidates hospitalised for psychic decompensation"), "seed 000: 6%"),
    ("cohort.hospitalised_employed", _("Hospitalised among the candidates at work"), "seed 000: 4%"),
):

    def _waiting(scope: Scope, _doc=_doc) -> Result:
        return Result(waiting_for=(PATHS,))

    _waiting.__doc__ = f"Among the candidates of the period ({_doc}). Needs the paths and their events (paths/)."
    indicator(_key, title=_title, unit="percent", period_rule=COHORT, waiting_for=(PATHS,))(_waiting)


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
