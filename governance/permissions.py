"""Who may see and do what with agreements, meetings and decisions. Views and templates ask these; they never decide.

- Coordinators govern: they record agreements their organisation is a party to and meetings their organisation
  organises, and change those of their organisations (as party, organiser or participant).
- The person-level roles and company referents of a party or participating organisation read its records.
- The ATS analyst reads every organisation's records and changes none.
- Everybody else (system administrators, the DPO, other organisations) gets a 404.
"""

from accounts.access import access_for
from governance.models import GOVERN_ROLES, MEMBER_ROLES, READ_ALL_ROLES, Agreement, Decision, Meeting


def can_view_governance(user) -> bool:
    """The governance pages: members of an organisation of the network, and the analyst."""
    access = access_for(user)
    return bool(access.org_ids(MEMBER_ROLES)) or bool(access.roles & READ_ALL_ROLES)


def governing_org_ids(user) -> frozenset[int]:
    """The organisations in whose name `user` records agreements and meetings (where they are coordinator)."""
    return access_for(user).org_ids(GOVERN_ROLES)


def can_govern(user) -> bool:
    """Record new agreements and meetings: coordinators."""
    return bool(governing_org_ids(user))


def can_change_agreement(user, agreement: Agreement) -> bool:
    return Agreement.objects.restrict(user, "change").filter(pk=agreement.pk).exists()


def can_change_meeting(user, meeting: Meeting) -> bool:
    return Meeting.objects.restrict(user, "change").filter(pk=meeting.pk).exists()


def can_mark_decision_done(user, decision: Decision) -> bool:
    """Whoever may change the meeting, the decision's owner, or a coordinator of its owner organisation."""
    if decision.owner_user_id is not None and decision.owner_user_id == user.pk:
        return True
    if decision.owner_organisation_id in governing_org_ids(user):
        return True
    return can_change_meeting(user, decision.meeting)
