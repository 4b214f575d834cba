"""Governance indicators: meetings held and agreements signed (governance/), counted in the database.

Seeds 003 and 004 count protocols signed per year and meetings held (of the working tables, of the UVM); the
programme files carry them as indicators. These count what coordinators record on the governance pages.
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.choices import MeetingKind
from governance.models import Agreement, Meeting
from programmes.indicators import FLOW, Result, Scope, indicator


def meetings_held(scope: Scope, kind: str | None = None):
    """Meetings not cancelled, dated within the period and not after today, organised by or with an organisation
    in scope."""
    end = min(scope.end, timezone.localdate())
    qs = Meeting.objects.filter(held_on__gte=scope.start, held_on__lte=end, cancelled=False)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if scope.organisation_ids is not None:
        with_orgs = Meeting.organisations.through.objects.filter(organisation_id__in=scope.organisation_ids)
        qs = qs.filter(Q(organisation_id__in=scope.organisation_ids) | Q(pk__in=with_orgs.values("meeting_id")))
    return qs


def agreements_signed(scope: Scope):
    """Agreements whose (latest) signature is dated within the period, with a party in scope."""
    qs = Agreement.objects.filter(signed_on__gte=scope.start, signed_on__lte=scope.end)
    if scope.organisation_ids is not None:
        parties = Agreement.parties.through.objects.filter(organisation_id__in=scope.organisation_ids)
        qs = qs.filter(Q(organisation_id__in=scope.organisation_ids) | Q(pk__in=parties.values("agreement_id")))
    return qs


@indicator(
    "governance.meetings_held",
    title=_("Governance meetings held"),
    unit="count",
    period_rule=FLOW,
    breakdowns=("kind of meeting", "organisation"),
)
def meetings_held_count(scope: Scope) -> Result:
    """Meetings recorded on the governance pages, not cancelled, dated within the period (up to today), organised
    by or with an organisation in scope; by kind (Cabina di Pilotaggio, working table, monthly Poli Lavoro
    meeting, UVM, other)."""
    by_kind = dict(meetings_held(scope).values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    total = sum(by_kind.values())
    rows = [(str(label), by_kind[code]) for code, label in MeetingKind.choices if by_kind.get(code)]
    return Result(numerator=total, value=total, rows=rows)


@indicator("governance.working_table_meetings", title=_("Working table meetings held"), unit="count", period_rule=FLOW)
def working_table_meetings(scope: Scope) -> Result:
    """As governance.meetings_held, working tables only (seed 004: meetings of the working table)."""
    n = meetings_held(scope, MeetingKind.WORKING_TABLE).count()
    return Result(numerator=n, value=n)


@indicator("governance.uvm_meetings", title=_("UVM meetings held"), unit="count", period_rule=FLOW)
def uvm_meetings(scope: Scope) -> Result:
    """As governance.meetings_held, multidimensional evaluation (UVM/EVM) sessions only (seed 003, "Dopo di
    noi", and seed 004: meetings held). Counts the sessions, never the persons evaluated."""
    n = meetings_held(scope, MeetingKind.UVM).count()
    return Result(numerator=n, value=n)


@indicator(
    "governance.agreements_signed",
    title=_("Agreements and protocols signed"),
    unit="count",
    period_rule=FLOW,
    breakdowns=("organisation",),
)
def agreements_signed_count(scope: Scope) -> Result:
    """Agreements and protocols whose date of signature falls within the period, with a party in scope (seeds
    003 and 004: protocols signed per year). A renewal replaces the date of signature, so a renewed agreement
    counts in the period of its latest signature."""
    n = agreements_signed(scope).count()
    return Result(numerator=n, value=n)
