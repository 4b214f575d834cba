"""Reads of cases and referrals that pages, the API and reports share."""

from accounts.access import access_for
from cases.choices import ReferralStatus
from cases.models import Case, Referral


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
