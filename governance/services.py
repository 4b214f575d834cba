"""Writes of the governance app: each checks the actor, validates, writes and audits in one transaction.

Governance records hold no person data; their writes are audited as `programme.save` (the programmes' governance),
with the object type (governance.agreement, governance.meeting, governance.decision) naming what changed.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation
from audit.choices import Action
from audit.services import audit_log
from governance import permissions
from governance.choices import NEEDS_SIGNATURE, TRANSITIONS, AgreementStatus, MeetingKind
from governance.models import Agreement, Decision, Meeting


def _today() -> datetime.date:
    return timezone.localdate()


def _agreement_errors(
    *, actor, previous: Agreement | None, title: str, parties, status: str, signed_on, renewal_on
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Enter the title of the agreement.")
    party_ids = {org.pk for org in parties}
    if not party_ids:
        errors["parties"] = _("Choose the parties of the agreement.")
    elif not party_ids & permissions.governing_org_ids(actor):
        errors["parties"] = _("Your organisation must be one of the parties.")
    if status not in AgreementStatus.values:
        errors["status"] = _("Choose a valid status.")
        return errors
    if previous is not None and status != previous.status and status not in TRANSITIONS[previous.status]:
        errors["status"] = _("An agreement cannot go from “%(from)s” to “%(to)s”.") % {
            "from": AgreementStatus(previous.status).label,
            "to": AgreementStatus(status).label,
        }
    if status in NEEDS_SIGNATURE and signed_on is None:
        errors["signed_on"] = _("Enter the date the agreement was signed.")
    if status in (AgreementStatus.ABSENT, AgreementStatus.WORKING_GROUP) and (signed_on or renewal_on):
        errors["signed_on"] = _("An agreement that is not being drafted or signed has no signature or renewal date.")
    if signed_on is not None and signed_on > _today():
        errors["signed_on"] = _("The date of signature cannot be in the future.")
    if (
        previous is not None
        and previous.status == AgreementStatus.TO_RENEW
        and status == AgreementStatus.SIGNED
        and previous.signed_on
        and signed_on
        and signed_on <= previous.signed_on
    ):
        errors["signed_on"] = _("A renewal is signed after the signature it renews (%(date)s).") % {
            "date": previous.signed_on.strftime("%d/%m/%Y")
        }
    if renewal_on is not None:
        if signed_on is None:
            errors["renewal_on"] = _("A renewal date needs the date of signature.")
        elif renewal_on <= signed_on:
            errors["renewal_on"] = _("The renewal date must come after the date of signature.")
    return errors


@transaction.atomic
def agreement_save(
    *,
    actor,
    agreement: Agreement | None = None,
    title: str,
    parties,
    status: str,
    programme=None,
    signed_on: datetime.date | None = None,
    renewal_on: datetime.date | None = None,
    next_priorities: str = "",
    notes: str = "",
) -> Agreement:
    """Record a new agreement or change one (coordinators of a party); status moves only along TRANSITIONS."""
    if not permissions.can_govern(actor):
        raise PermissionDenied
    previous = None
    if agreement is not None:
        if not permissions.can_change_agreement(actor, agreement):
            raise PermissionDenied
        previous = Agreement.objects.select_for_update().get(pk=agreement.pk)
    parties = list(parties)
    errors = _agreement_errors(
        actor=actor,
        previous=previous,
        title=title,
        parties=parties,
        status=status,
        signed_on=signed_on,
        renewal_on=renewal_on,
    )
    if errors:
        raise ValidationError(errors)
    if agreement is None:
        own = [org for org in parties if org.pk in permissions.governing_org_ids(actor)]
        agreement = Agreement(organisation=own[0], created_by=actor)
    agreement.title = title.strip()
    agreement.programme = programme
    agreement.status = status
    agreement.signed_on = signed_on
    agreement.renewal_on = renewal_on
    agreement.next_priorities = (next_priorities or "").strip()
    agreement.notes = (notes or "").strip()
    agreement.save()
    agreement.parties.set(parties)
    audit_log(
        actor=actor,
        action=Action.PROGRAMME_SAVE,
        obj=agreement,
        detail={
            "what": "agreement",
            "created": previous is None,
            "status": status,
            "from": previous.status if previous is not None else "",
            "programme": programme.code if programme is not None else "",
        },
    )
    return agreement


def _member_org_ids(users) -> dict[int, set[int]]:
    """Each user's organisations (active memberships)."""
    out: dict[int, set[int]] = {}
    rows = Membership.objects.filter(user__in=users, is_active=True).values_list("user_id", "unit__organisation_id")
    for user_id, org_id in rows:
        out.setdefault(user_id, set()).add(org_id)
    return out


@transaction.atomic
def meeting_save(
    *,
    actor,
    meeting: Meeting | None = None,
    kind: str,
    held_on: datetime.date,
    organisation: Organisation,
    title: str = "",
    programme=None,
    organisations=(),
    participants=(),
    agenda: str = "",
    minutes: str = "",
    cancelled: bool = False,
) -> Meeting:
    """Record a meeting organised by the actor's organisation, or change one (its organiser's or a participating
    organisation's coordinators). Minutes only once the meeting has been held; participants of the organisations
    taking part."""
    if not permissions.can_govern(actor):
        raise PermissionDenied
    if meeting is not None and not permissions.can_change_meeting(actor, meeting):
        raise PermissionDenied
    organisations = list(organisations)
    participants = list(participants)
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose the kind of meeting.")
    if held_on is None:
        errors["held_on"] = _("Enter the date of the meeting.")
    if organisation is None:
        errors["organisation"] = _("Choose the organisation that organises the meeting.")
    elif (meeting is None or organisation.pk != meeting.organisation_id) and organisation.pk not in (
        permissions.governing_org_ids(actor)
    ):
        errors["organisation"] = _("You record meetings organised by your own organisation.")
    if (minutes or "").strip() and held_on is not None and held_on > _today():
        errors["minutes"] = _("Minutes can be recorded once the meeting has been held.")
    if organisation is not None and participants:
        allowed = {organisation.pk, *(org.pk for org in organisations)}
        member_of = _member_org_ids(participants)
        strangers = [str(user) for user in participants if not member_of.get(user.pk, set()) & allowed]
        if strangers:
            errors["participants"] = _(
                "Participants belong to the organiser or a participating organisation; not: %(names)s."
            ) % {"names": ", ".join(strangers)}
    if errors:
        raise ValidationError(errors)
    created = meeting is None
    if created:
        meeting = Meeting(created_by=actor)
    meeting.kind = kind
    meeting.title = (title or "").strip()
    meeting.held_on = held_on
    meeting.programme = programme
    meeting.organisation = organisation
    meeting.agenda = (agenda or "").strip()
    meeting.minutes = (minutes or "").strip()
    meeting.cancelled = cancelled
    meeting.save()
    meeting.organisations.set(organisations)
    meeting.participants.set(participants)
    audit_log(
        actor=actor,
        action=Action.PROGRAMME_SAVE,
        obj=meeting,
        detail={"what": "meeting", "created": created, "kind": kind, "held_on": held_on.isoformat()},
    )
    return meeting


@transaction.atomic
def decision_add(
    *,
    actor,
    meeting: Meeting,
    text: str,
    owner_organisation: Organisation | None = None,
    owner_user=None,
    due_on: datetime.date | None = None,
) -> Decision:
    """Add a decision to a meeting: its owner is an organisation that took part or one of its people."""
    if not permissions.can_change_meeting(actor, meeting):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not (text or "").strip():
        errors["text"] = _("Write the decision.")
    allowed = {meeting.organisation_id, *meeting.organisations.values_list("pk", flat=True)}
    if owner_organisation is None and owner_user is None:
        errors["owner_organisation"] = _("Say who owns the decision: an organisation, a person, or both.")
    if owner_organisation is not None and owner_organisation.pk not in allowed:
        errors["owner_organisation"] = _("The owner must be the organiser or a participating organisation.")
    if owner_user is not None and not _member_org_ids([owner_user]).get(owner_user.pk, set()) & allowed:
        errors["owner_user"] = _("The owner must belong to the organiser or a participating organisation.")
    if due_on is not None and due_on < meeting.held_on:
        errors["due_on"] = _("The due date cannot be before the meeting.")
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        meeting=meeting,
        text=text.strip(),
        owner_organisation=owner_organisation,
        owner_user=owner_user,
        due_on=due_on,
    )
    audit_log(
        actor=actor,
        action=Action.PROGRAMME_SAVE,
        obj=decision,
        detail={"what": "decision", "meeting": meeting.pk, "due_on": due_on.isoformat() if due_on else ""},
    )
    return decision


@transaction.atomic
def decision_mark_done(*, actor, decision: Decision, done_on: datetime.date | None = None) -> Decision:
    """Mark a decision done, on `done_on` (today by default): not in the future, not before the meeting."""
    if not permissions.can_mark_decision_done(actor, decision):
        raise PermissionDenied
    decision = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    if decision.done:
        raise ValidationError(_("This decision is already marked done."))
    done_on = done_on or _today()
    if done_on > _today():
        raise ValidationError({"done_on": _("The date it was done cannot be in the future.")})
    if done_on < decision.meeting.held_on:
        raise ValidationError({"done_on": _("The date it was done cannot be before the meeting.")})
    decision.done, decision.done_on, decision.done_by = True, done_on, actor
    decision.save(update_fields=["done", "done_on", "done_by", "updated_at"])
    audit_log(
        actor=actor,
        action=Action.PROGRAMME_SAVE,
        obj=decision,
        detail={"what": "decision", "meeting": decision.meeting_id, "done_on": done_on.isoformat()},
    )
    return decision
