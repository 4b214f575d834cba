"""Reads of employers and employer relations that pages, reports and the API share."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from opportunities.models import EmployerContact, EmployerProfile, Opportunity
from opportunities.permissions import scouting_coordinator_org_ids

FIGURES_DEFAULT_WEEKS = 12
REMINDER_HORIZON_DAYS = 14


def employer_list_for(user):
    """The employers `user` may see, with their last contact date and the earliest pending next step."""
    pending = EmployerContact.objects.pending().filter(employer=OuterRef("pk")).order_by("next_step_on")
    return (
        EmployerProfile.objects.restrict(user, "view")
        .select_related("organisation")
        .annotate(
            last_contact_on=Max("contacts__contacted_on"),
            next_step_on=Subquery(pending.values("next_step_on")[:1]),
        )
        .order_by("organisation__name", "pk")
    )


def scouting_list_for(user):
    """Employers with open Law 68 places: most places to fill first, then the longest without a contact."""
    return (
        employer_list_for(user)
        .with_open_quota()
        .order_by("-law68_open", F("last_contact_on").asc(nulls_first=True), "organisation__name", "pk")
    )


def employer_contacts(user, employer: EmployerProfile):
    """The contact log of one employer, newest first, as `user` may read it (empty for non-scouting users)."""
    return (
        EmployerContact.objects.restrict(user, "view")
        .filter(employer=employer)
        .select_related("operator", "organisation")
        .order_by("-contacted_on", "-pk")
    )


def due_next_steps_for(user, *, today: datetime.date, horizon_days: int = REMINDER_HORIZON_DAYS):
    """The user's own next steps not yet done that fall due by `today + horizon_days`, overdue first."""
    return (
        EmployerContact.objects.restrict(user, "view")
        .pending()
        .filter(operator=user, next_step_on__lte=today + datetime.timedelta(days=horizon_days))
        .select_related("employer__organisation")
        .order_by("next_step_on", "pk")
    )


@dataclass(frozen=True)
class OperatorFigures:
    """One operator's contacts in a period."""

    operator: User
    contacts: int
    employers: int
    per_week: float


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def weeks(self) -> float:
        return ((self.end - self.start).days + 1) / 7

    @classmethod
    def last_weeks(cls, *, today: datetime.date, weeks: int = FIGURES_DEFAULT_WEEKS) -> "Period":
        return cls(start=today - datetime.timedelta(days=7 * weeks - 1), end=today)


def operator_figures(user, *, period: Period) -> list[OperatorFigures]:
    """Contacts per week and distinct employers contacted, per operator of the coordinator's organisations."""
    org_ids = scouting_coordinator_org_ids(user)
    if not org_ids:
        return []
    rows = (
        EmployerContact.objects.filter(
            organisation_id__in=org_ids, contacted_on__gte=period.start, contacted_on__lte=period.end
        )
        .values("operator_id")
        .annotate(contacts=Count("pk"), employers=Count("employer_id", distinct=True))
        .order_by()
    )
    by_operator = {row["operator_id"]: row for row in rows}
    operators = User.objects.in_bulk(list(by_operator))
    figures = [
        OperatorFigures(
            operator=operators[pk],
            contacts=row["contacts"],
            employers=row["employers"],
            per_week=round(row["contacts"] / period.weeks, 1),
        )
        for pk, row in by_operator.items()
    ]
    return sorted(figures, key=lambda f: (-f.contacts, f.operator.last_name, f.operator.first_name, f.operator.pk))


def network_totals(*, period: Period) -> dict:
    """Counts of the whole network: employers, quota places, and contacts in the period (no names)."""
    employers = EmployerProfile.objects.aggregate(
        employers=Count("pk"),
        with_quota=Count("pk", filter=Q(law68_quota__gt=0)),
        with_open_quota=Count("pk", filter=Q(law68_open__gt=0)),
        quota=Coalesce(Sum("law68_quota"), 0),
        open=Coalesce(Sum("law68_open"), 0),
    )
    contacts = EmployerContact.objects.filter(contacted_on__gte=period.start, contacted_on__lte=period.end).aggregate(
        contacts=Count("pk"),
        employers_contacted=Count("employer_id", distinct=True),
        operators=Count("operator_id", distinct=True),
    )
    contacts["per_week"] = round(contacts["contacts"] / period.weeks, 1)
    return {**employers, **contacts}


def opportunity_catalogue_for(user):
    """The opportunities `user` sees (every open one for the network's operators), newest first."""
    return (
        Opportunity.objects.restrict(user, "view")
        .select_related("organisation", "employer__organisation")
        .order_by("-created_at", "-pk")
    )
