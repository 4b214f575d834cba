"""Reads of the governance pages: every one through restrict(), in a fixed number of queries."""

import datetime

from django.db.models import Count, Q

from governance.models import Agreement, Decision, Meeting

RENEWAL_WINDOW_DAYS = 60


def agreements_for(user, *, status: str = "", programme=None):
    """The agreements `user` reaches, optionally of one status and programme, with their parties."""
    qs = Agreement.objects.restrict(user, "view").select_related("programme").prefetch_related("parties")
    if status:
        qs = qs.filter(status=status)
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("title", "pk")


def agreements_to_renew(user, *, today: datetime.date):
    """Signed (or to-renew) agreements whose renewal date falls within 60 days, or has passed."""
    horizon = today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
    return (
        Agreement.objects.restrict(user, "view")
        .filter(status__in=["signed", "to_renew"], renewal_on__isnull=False, renewal_on__lte=horizon)
        .select_related("programme")
        .order_by("renewal_on", "pk")
    )


def _meetings(user):
    return (
        Meeting.objects.restrict(user, "view")
        .select_related("organisation", "programme")
        .annotate(open_decisions=Count("decisions", filter=Q(decisions__done=False)))
    )


def upcoming_meetings(user, *, today: datetime.date, limit: int = 20):
    return list(_meetings(user).upcoming(today)[:limit])


def past_meetings(user, *, today: datetime.date, limit: int = 20):
    return list(_meetings(user).past(today)[:limit])


def open_decisions_past_due(user, *, today: datetime.date):
    """Decisions not done whose due date has passed, of the meetings `user` reaches."""
    return (
        Decision.objects.restrict(user, "view")
        .open_past_due(today)
        .select_related("meeting", "owner_organisation", "owner_user")
    )
