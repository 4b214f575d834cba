"""Reads of cases and referrals that pages, the API and reports share."""

from django.db.models import Exists, OuterRef

from accounts.access import access_for
from cases.choices import ReferralStatus
from cases.models import Case, Referral
from people.models import Person


def person_visible_to(user):
    """An annotation of referrals: whether `user` may still see the person (consent can be withdrawn).

    A referral stays in both organisations' lists after the sharing consent is withdrawn, but without
    the person's name: pages and API show the name only where this is true.
    """
    return Exists(Person.objects.restrict(user, "view").filter(pk=OuterRef("person_id")))


def caseload_for(user):
    """The open cases `user` manages, newest first."""
    return (
        Case.objects.restrict(user, "view")
        .open()
        .filter(case_manager=user)
        .select_related("person", "unit")
        .order_by("-opened_on", "-pk")
    )


def referral_inbox_for(user, *, status: str | None = ReferralStatus.SENT):
    """Referrals addressed to the user's organisations (waiting ones by default)."""
    orgs = access_for(user).person_org_ids
    qs = Referral.objects.restrict(user, "view").filter(to_organisation_id__in=orgs)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "from_unit__organisation", "to_unit").order_by("sent_at", "pk")


def referral_outbox_for(user, *, status: str | None = None):
    """Referrals sent by the user's organisations."""
    orgs = access_for(user).person_org_ids
    qs = Referral.objects.restrict(user, "view").filter(from_organisation_id__in=orgs)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "from_unit", "to_unit__organisation").order_by("-sent_at", "-pk")


# Counts under this threshold are shown as "fewer than" it, so that a small group cannot be re-identified.
SMALL_CELL = 5


def suppress_small(count: int) -> int | None:
    """The count, or None when it is between 1 and SMALL_CELL - 1 (shown as "< 5")."""
    return None if 0 < count < SMALL_CELL else count


def network_counts() -> dict:
    """Network-wide counts for aggregate-only roles: no row, no name, small cells suppressed.

    Returns {"persons": n, "open_cases_by_area": [(label, n)], "referrals_by_status": [(label, n)],
    "open_cases_by_organisation": [(name, n)]}, every n passed through suppress_small().
    """
    from django.db.models import Count

    from accounts.models import Organisation
    from cases.choices import Area
    from people.models import Person

    open_cases = Case.objects.filter(closed_on__isnull=True, person__merged_into__isnull=True)
    by_area = dict(open_cases.values_list("area").annotate(n=Count("pk")).order_by())
    by_status = dict(Referral.objects.values_list("status").annotate(n=Count("pk")).order_by())
    by_org = dict(open_cases.values_list("organisation").annotate(n=Count("pk")).order_by())
    names = dict(Organisation.objects.filter(pk__in=by_org).values_list("pk", "name"))
    return {
        "persons": suppress_small(Person.objects.live().count()),
        "open_cases_by_area": [(label, suppress_small(by_area.get(value, 0))) for value, label in Area.choices],
        "referrals_by_status": [
            (label, suppress_small(by_status.get(value, 0))) for value, label in ReferralStatus.choices
        ],
        "open_cases_by_organisation": sorted(
            ((names[pk], suppress_small(n)) for pk, n in by_org.items()), key=lambda row: row[0]
        ),
    }
