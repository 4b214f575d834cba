"""Employer-relation indicators: scouting contacts and Law 68 places covered (opportunities)."""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from opportunities.models import EmployerContact, EmployerProfile
from programmes.indicators import FLOW, SNAPSHOT, Result, Scope, breakable, drilldown, indicator, rate
from programmes.indicators.counting import Counting


def _contacts_in(scope: Scope):
    qs = EmployerContact.objects.filter(contacted_on__gte=scope.start, contacted_on__lte=scope.end)
    return scope.orgs(qs)


@indicator(
    "employers.contacts",
    title=_("Contacts with employers"),
    unit="count",
    period_rule=FLOW,
)
def contacts(scope: Scope) -> Result:
    """Scouting contacts with employers dated within the period, by operators of organisations in scope;
    `denominator` holds the distinct employers contacted (shown beside the count, not a rate)."""
    counts = _contacts_in(scope).aggregate(contacts=Count("pk"), employers=Count("employer_id", distinct=True))
    return Result(numerator=counts["contacts"], denominator=counts["employers"], value=counts["contacts"])


@breakable("employers.contacts", breakdowns=("asst", "organisation"))
def contacts_counting(scope: Scope) -> Counting:
    return Counting(units=_contacts_in(scope), person=None, organisation="organisation_id")


@drilldown("employers.contacts", kind="employer_contact")
def contacts_records(scope: Scope):
    return _contacts_in(scope)


@indicator(
    "employers.law68_covered",
    title=_("Law 68 quota places covered"),
    unit="percent",
    period_rule=SNAPSHOT,
)
def law68_covered(scope: Scope) -> Result:
    """Among the employers with a Law 68 quota: places covered over places due, today (the profiles keep no
    history, so the period does not change it; employers are shared by the whole network, so the territory
    does not either). Covered places beyond the quota are not counted."""
    from django.db.models import F
    from django.db.models.functions import Least

    totals = EmployerProfile.objects.filter(law68_quota__gt=0).aggregate(
        quota=Coalesce(Sum("law68_quota"), 0), covered=Coalesce(Sum(Least(F("law68_covered"), F("law68_quota"))), 0)
    )
    return Result(
        numerator=totals["covered"], denominator=totals["quota"], value=rate(totals["covered"], totals["quota"])
    )


@drilldown("employers.law68_covered", kind="employer")
def law68_records(scope: Scope):
    return EmployerProfile.objects.filter(law68_quota__gt=0)
