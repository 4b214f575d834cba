"""Writes of employers and employer relations. Each checks the actor's right and writes its audit event."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError
from opportunities import ateco
from opportunities.choices import EMPLOYER_KINDS
from opportunities.models import EmployerContact, EmployerProfile
from opportunities.permissions import (
    can_change_contact,
    can_change_employer,
    can_create_employer,
    can_log_contact,
    scouting_org_ids,
)

# The profile fields a page or the API may write.
PROFILE_FIELDS = (
    "social_coop_type",
    "ateco_division",
    "employees",
    "computable_employees",
    "law68_covered",
    "comune",
    "municipio",
    "address",
    "contact_name",
    "contact_role",
    "phone",
    "email",
    "website",
    "needs",
)


def _full_clean(obj, *, exclude=()) -> None:
    """Model validation (choices, lengths, limits, constraints) as field messages."""
    obj.full_clean(exclude=list(exclude), validate_unique=False)


def _validate_profile(profile: EmployerProfile) -> None:
    errors = {}
    if profile.ateco_division and profile.ateco_division not in ateco.division_codes():
        errors["ateco_division"] = _("Choose an ATECO 2007 division.")
    if profile.social_coop_type and profile.organisation.kind != "social_coop":
        errors["social_coop_type"] = _("Only social cooperatives have a type A or B.")
    if profile.computable_employees is not None and profile.computable_employees > (profile.employees or 0):
        errors["computable_employees"] = _("The computable employees cannot exceed the headcount.")
    if errors:
        raise ValidationError(errors)
    _full_clean(profile, exclude=("organisation",))


def _audit_save(actor, profile: EmployerProfile, *, fields, created: bool) -> None:
    audit_log(
        actor=actor,
        action=Action.EMPLOYER_SAVE,
        obj=profile,
        detail={"created": created, "fields": sorted(fields), "version": profile.version},
    )


@transaction.atomic
def employer_create(
    *, actor, name: str = "", kind: str = "", organisation: Organisation | None = None, **fields
) -> EmployerProfile:
    """A new employer profile, for an organisation of the network or for a new one named `name` of `kind`."""
    if not can_create_employer(actor):
        raise PermissionDenied
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown employer fields: {sorted(unknown)}")
    if organisation is None:
        name = (name or "").strip()
        errors = {}
        if not name:
            errors["name"] = _("Give the organisation's name.")
        elif Organisation.objects.filter(name__iexact=name).exists():
            errors["name"] = _("An organisation with this name is already in the network.")
        if kind not in EMPLOYER_KINDS:
            errors["kind"] = _("Choose a company, social cooperative, training body, job agency or public body.")
        if errors:
            raise ValidationError(errors)
        organisation = Organisation(name=name, kind=kind)
        _full_clean(organisation)
        organisation.save()
    else:
        if organisation.kind not in EMPLOYER_KINDS:
            raise ValidationError({"kind": _("This kind of organisation has no employer profile.")})
        if EmployerProfile.objects.filter(organisation=organisation).exists():
            raise ValidationError({"name": _("This organisation already has an employer profile.")})
    if organisation.kind != "social_coop":
        fields.pop("social_coop_type", None)
    profile = EmployerProfile(organisation=organisation, **fields)
    _validate_profile(profile)
    profile.save()
    _audit_save(actor, profile, fields=[name for name in fields if fields[name] not in ("", None)], created=True)
    return profile


@transaction.atomic
def employer_update(*, actor, employer: EmployerProfile, version: int, **changes) -> EmployerProfile:
    """Change an employer's profile, based on `version` of it (StaleObjectError if someone changed it meanwhile)."""
    if not can_change_employer(actor, employer):
        raise PermissionDenied
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown employer fields: {sorted(unknown)}")
    current = EmployerProfile.objects.select_for_update().select_related("organisation").get(pk=employer.pk)
    if current.version != version:
        raise StaleObjectError(current)
    if current.organisation.kind != "social_coop":
        changes.pop("social_coop_type", None)
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, changes[name])
    _validate_profile(current)
    current.version += 1
    current.save()
    _audit_save(actor, current, fields=changed, created=False)
    return current


def _contact_org_id(actor) -> int:
    """The organisation a contact is logged for: the actor's first organisation with a scouting role."""
    orgs = scouting_org_ids(actor)
    return min(orgs)


@transaction.atomic
def contact_log(
    *,
    actor,
    employer: EmployerProfile,
    contacted_on: datetime.date,
    channel: str,
    discussed: str,
    outcome: str,
    next_step: str = "",
    next_step_on: datetime.date | None = None,
    closes_pending: bool = True,
) -> EmployerContact:
    """Record the actor's contact with an employer; by default it completes the actor's open next steps with them."""
    if not can_log_contact(actor, employer):
        raise PermissionDenied
    today = timezone.localdate()
    errors = {}
    next_step = (next_step or "").strip()
    if contacted_on and contacted_on > today:
        errors["contacted_on"] = _("A contact cannot be in the future.")
    if next_step_on and not next_step:
        errors["next_step"] = _("Say what the next step is.")
    if next_step_on and contacted_on and next_step_on < contacted_on:
        errors["next_step_on"] = _("The next step cannot come before the contact.")
    if errors:
        raise ValidationError(errors)
    contact = EmployerContact(
        employer=employer,
        organisation_id=_contact_org_id(actor),
        operator=actor,
        contacted_on=contacted_on,
        channel=channel,
        discussed=(discussed or "").strip(),
        outcome=outcome,
        next_step=next_step,
        next_step_on=next_step_on,
    )
    _full_clean(contact, exclude=("employer", "organisation", "operator"))
    closed = 0
    if closes_pending:
        closed = (
            EmployerContact.objects.pending()
            .filter(employer=employer, operator=actor, contacted_on__lte=contacted_on)
            .update(next_step_done_on=contacted_on)
        )
    contact.save()
    audit_log(
        actor=actor,
        action=Action.EMPLOYER_CONTACT,
        obj=contact,
        detail={"employer": employer.pk, "channel": channel, "outcome": outcome, "closed_next_steps": closed},
    )
    return contact


@transaction.atomic
def contact_next_step_done(*, actor, contact: EmployerContact, done_on: datetime.date | None = None) -> EmployerContact:
    """Mark a contact's next step as done (its operator, or a coordinator of its organisation)."""
    if not can_change_contact(actor, contact):
        raise PermissionDenied
    current = EmployerContact.objects.select_for_update().get(pk=contact.pk)
    if current.next_step_on is None:
        raise ValidationError(_("This contact has no next step."))
    if current.next_step_done_on is not None:
        return current
    current.next_step_done_on = done_on or timezone.localdate()
    current.save(update_fields=["next_step_done_on", "updated_at"])
    audit_log(
        actor=actor,
        action=Action.EMPLOYER_CONTACT,
        obj=current,
        detail={"employer": current.employer_id, "next_step_done": current.next_step_done_on.isoformat()},
    )
    return current
