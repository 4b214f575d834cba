"""Indicators of the community programmes (seed 001, "Vivere in Salute Mentale")."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind
from cases.models import Case
from people.models import Person
from plans.choices import Outcome, PlanStatus
from plans.models import GoalOutcome
from programmes.indicators import COHORT, FLOW, Result, Scope, counting_indicator, drilldown, indicator
from programmes.indicators.counting import Counting, attributed

# The co-design partners of seed 001: the Comune and the third-sector entities.
PARTNER_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.THIRD_SECTOR, OrganisationKind.SOCIAL_COOP)


def _partner_cases(scope: Scope):
    """The partners' cases open at any time in the period. Merged records are left out by `_participants`, on the
    persons, rather than by a join to every person here (the count costs half as much: docs/benchmarks.md)."""
    qs = Case.objects.filter(organisation__kind__in=PARTNER_KINDS, opened_on__lte=scope.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start)
    )
    return scope.orgs(qs)


def _participants(scope: Scope):
    return Person.objects.live().filter(pk__in=_partner_cases(scope).values("person_id"))


@counting_indicator("community.participants", title=_("EECO01 – participants"), unit="count", period_rule=COHORT,
                    breakdowns=("asst", "organisation", "sex", "age_band"))  # fmt: skip
def participants(scope: Scope) -> Counting:
    """Distinct persons with a case, open at any time in the period, at the Comune or a third-sector partner
    (municipal services, ETS, social cooperatives) in scope. A proxy until enrolment in a programme is recorded:
    Ponte does not yet know which cases a programme funds. For the 2024 and 2026 targets, choose the period from
    the programme's start."""
    anchor = _partner_cases(scope)
    return Counting(
        units=_participants(scope),
        person="",
        organisation=attributed(anchor, "organisation_id", order=("-opened_on", "-pk")),
    )


@drilldown("community.participants", kind="person")
def participants_records(scope: Scope):
    return _participants(scope)


def _waiting(parts, doc: str):
    def compute(scope: Scope) -> Result:
        return Result(waiting_for=parts)

    compute.__doc__ = doc
    return compute


def _improved(scope: Scope):
    achieved = GoalOutcome.objects.filter(
        outcome=Outcome.ACHIEVED,
        review__held_on__gte=scope.start,
        review__held_on__lte=scope.end,
        review__plan__status__in=(PlanStatus.ACTIVE, PlanStatus.SUPERSEDED),
    )
    return _participants(scope).filter(pk__in=achieved.values("review__plan__person_id"))


@indicator(
    "community.improved",
    title=_("ISR4_2IT – participants in an improved situation at the end"),
    unit="count",
    period_rule=FLOW,
)
def improved(scope: Scope) -> Result:
    """EECO01 participants in scope (see community.participants) whose individual plan (an approved version) had a
    review held in the period that records at least one goal achieved (plans/: reviews and their outcome per
    goal). Seed 001, section D: 486 participants by 2026. "Partly achieved" is not counted as improved; a plan
    reviewed twice in the period counts its person once."""
    n = _improved(scope).count()
    return Result(numerator=n, value=n)


@drilldown("community.improved", kind="person")
def improved_records(scope: Scope):
    return _improved(scope)


_WAITING = (
    ("community.home_support", _("Adults supported at home in the year"), ("community services",),
     "Distinct adults receiving home support in the period (seed 001, action 1.1: at least 110 a year). Needs the "
     "community-programme services; shows no data until then."),
    ("community.home_meals", _("Users with home meals in the year"), ("community services",),
     "Distinct users receiving home meals in the period (seed 001, action 1.2: at least 72 a year). Needs the "
     "community-programme services; shows no data until then."),
)  # fmt: skip

for _key, _title, _parts, _doc in _WAITING:
    indicator(_key, title=_title, unit="count", period_rule=FLOW, waiting_for=_parts)(_waiting(_parts, _doc))
