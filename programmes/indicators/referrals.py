"""Referral indicators: people reached among people referred, and waiting times (cases.Referral)."""

import statistics
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from cases.choices import ReferralStatus
from cases.models import Referral
from people.models import Person
from programmes.indicators import FLOW, Result, Scope, breakable, drilldown, indicator, rate
from programmes.indicators.counting import Counting, attributed


def _sent_in(scope: Scope):
    qs = Referral.objects.filter(
        sent_at__date__gte=scope.start, sent_at__date__lte=scope.end, person__merged_into__isnull=True
    )
    return scope.orgs(qs, "to_organisation_id")


@indicator(
    "referrals.reached",
    title=_("Persons reached among persons referred"),
    unit="percent",
    period_rule=FLOW,
)
def reached(scope: Scope) -> Result:
    """Denominator: distinct persons with a referral sent in the period to an organisation in scope.
    Numerator: those of them with at least one of these referrals accepted (a case opened) by now.
    Seed 003 (area carcere) sets the target at >= 90% of those referred."""
    counts = _sent_in(scope).aggregate(
        referred=Count("person_id", distinct=True),
        reached=Count("person_id", distinct=True, filter=Q(status=ReferralStatus.ACCEPTED)),
    )
    return Result(
        numerator=counts["reached"], denominator=counts["referred"], value=rate(counts["reached"], counts["referred"])
    )


@breakable("referrals.reached", breakdowns=("asst", "organisation", "polo", "sex", "age_band"))
def reached_counting(scope: Scope) -> Counting:
    """Persons referred; a person referred to two organisations belongs to the one of their latest referral."""
    sent = _sent_in(scope)
    order = ("-sent_at", "-pk")
    return Counting(
        units=Person.objects.filter(pk__in=sent.values("person_id")),
        numerator=Q(pk__in=sent.filter(status=ReferralStatus.ACCEPTED).values("person_id")),
        person="",
        organisation=attributed(sent, "to_organisation_id", order=order),
        team=attributed(sent, "to_unit_id", order=order),
    )


@drilldown("referrals.reached", kind="referral")
def reached_records(scope: Scope):
    return _sent_in(scope)


def _decided_in(scope: Scope):
    qs = Referral.objects.filter(
        decided_at__isnull=False,
        decided_at__date__gte=scope.start,
        decided_at__date__lte=scope.end,
        person__merged_into__isnull=True,
    )
    return scope.orgs(qs, "to_organisation_id")


@indicator(
    "referrals.waiting_days",
    title=_("Median waiting time of referrals (days)"),
    unit="days",
    period_rule=FLOW,
)
def waiting_days(scope: Scope) -> Result:
    """Median of the days from sending to the decision (accepted or rejected) of the referrals decided in the
    period by an organisation in scope; `numerator` is how many referrals were decided. Referrals still waiting
    are not in it (they are counted by the referral inbox). The median is taken over one column of timestamps
    read from the database: SQLite has no percentile aggregate."""
    pairs = list(_decided_in(scope).values_list("sent_at", "decided_at"))
    if not pairs:
        return Result(numerator=0, value=None)
    days = [(decided - sent).total_seconds() / 86400 for sent, decided in pairs]
    median = Decimal(str(statistics.median(days))).quantize(Decimal("0.1"))
    return Result(numerator=len(days), value=median)


@drilldown("referrals.waiting_days", kind="referral")
def waiting_days_records(scope: Scope):
    return _decided_in(scope)
