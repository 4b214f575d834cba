"""Writes of employers and employer relations. Each checks the actor's right and writes its audit event."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_for
from accounts.models import Organisation
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError
from opportunities import ateco, occupations, skills
from opportunities.choices import (
    EMPLOYER_KINDS,
    CandidateDeclineReason,
    Decision,
    Disclosure,
    EmployerDeclineReason,
    OpportunityKind,
    OpportunityStatus,
    ProposalStatus,
    Weekday,
)
from opportunities.models import EmployerContact, EmployerProfile, Opportunity, Proposal, WorkProfile
from opportunities.permissions import (
    can_change_contact,
    can_change_employer,
    can_change_opportunity,
    can_change_work_profile,
    can_create_employer,
    can_create_opportunity,
    can_log_contact,
    can_propose,
    can_record_candidate_decision,
    can_record_employer_decision,
    publisher_org_ids,
    scouting_org_ids,
)
from people.choices import ConsentPurpose
from people.models import Person, active_consents
from people.permissions import treating_org_ids

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


# ---------------------------------------------------------------------------------------------- opportunities

# The opportunity fields a page or the API may write.
OPPORTUNITY_FIELDS = (
    "kind",
    "title",
    "description",
    "occupation_code",
    "employer",
    "comune",
    "municipio",
    "address",
    "hours_per_week",
    "days",
    "days_and_times",
    "contract_type",
    "starts_on",
    "ends_on",
    "seats",
    "required_skills",
    "desired_skills",
    "skills_taught",
    "support",
    "accessibility",
    "status",
)
_SKILL_FIELDS = ("required_skills", "desired_skills", "skills_taught")


def _clean_codes(values) -> list[str]:
    """A list of codes without blanks or repeats, in the given order."""
    return list(dict.fromkeys(str(v).strip() for v in (values or []) if str(v).strip()))


def _validate_opportunity(opportunity: Opportunity) -> None:
    errors = {}
    known = skills.codes()
    for name in _SKILL_FIELDS:
        values = _clean_codes(getattr(opportunity, name))
        setattr(opportunity, name, values)
        if set(values) - known:
            errors[name] = _("Choose skills of the shared vocabulary.")
    overlap = set(opportunity.required_skills) & set(opportunity.desired_skills)
    if overlap:
        errors["desired_skills"] = _("A skill is either required or desired, not both.")
    if opportunity.skills_taught and opportunity.kind != OpportunityKind.COURSE:
        errors["skills_taught"] = _("Only a training course teaches skills.")
    try:
        days = sorted({int(day) for day in opportunity.days or []})
    except (TypeError, ValueError):
        days = [0]
    if any(day not in Weekday.values for day in days):
        errors["days"] = _("Choose days of the week.")
    opportunity.days = days
    opportunity.occupation_code = (opportunity.occupation_code or "").strip()
    if opportunity.occupation_code and not occupations.is_valid(opportunity.occupation_code):
        errors["occupation_code"] = _("Give an ISCO-08 group code (1 to 4 digits).")
    if opportunity.starts_on and opportunity.ends_on and opportunity.ends_on < opportunity.starts_on:
        errors["ends_on"] = _("The end cannot come before the start.")
    if errors:
        raise ValidationError(errors)
    _full_clean(opportunity, exclude=("organisation", "employer"))


def _audit_opportunity(actor, opportunity: Opportunity, *, fields, created: bool) -> None:
    audit_log(
        actor=actor,
        action=Action.OPPORTUNITY_SAVE,
        obj=opportunity,
        detail={
            "created": created,
            "fields": sorted(fields),
            "status": opportunity.status,
            "version": opportunity.version,
        },
    )


def _publisher_org_id(actor) -> int:
    """The organisation an opportunity is published for: the actor's first scouting or referent organisation."""
    return min(publisher_org_ids(actor))


@transaction.atomic
def opportunity_create(*, actor, **fields) -> Opportunity:
    """A new opportunity published by the actor's organisation (a Polo Lavoro, CELAV, programme team or company)."""
    if not can_create_opportunity(actor):
        raise PermissionDenied
    unknown = set(fields) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown opportunity fields: {sorted(unknown)}")
    employer = fields.get("employer")
    if employer is not None and not EmployerProfile.objects.restrict(actor, "view").filter(pk=employer.pk).exists():
        raise ValidationError({"employer": _("Choose an employer you can see.")})
    opportunity = Opportunity(organisation_id=_publisher_org_id(actor), **fields)
    _validate_opportunity(opportunity)
    opportunity.save()
    given = [name for name, value in fields.items() if value not in ("", None, [])]
    _audit_opportunity(actor, opportunity, fields=given, created=True)
    return opportunity


@transaction.atomic
def opportunity_update(*, actor, opportunity: Opportunity, version: int, **changes) -> Opportunity:
    """Change an opportunity, based on `version` of it (StaleObjectError if someone changed it meanwhile)."""
    if not can_change_opportunity(actor, opportunity):
        raise PermissionDenied
    unknown = set(changes) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown opportunity fields: {sorted(unknown)}")
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if current.version != version:
        raise StaleObjectError(current)
    employer = changes.get("employer")
    if (
        employer is not None
        and employer.pk != current.employer_id
        and not EmployerProfile.objects.restrict(actor, "view").filter(pk=employer.pk).exists()
    ):
        raise ValidationError({"employer": _("Choose an employer you can see.")})
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, changes[name])
    _validate_opportunity(current)
    current.version += 1
    current.save()
    _audit_opportunity(actor, current, fields=changed, created=False)
    return current


@transaction.atomic
def opportunity_close(*, actor, opportunity: Opportunity) -> Opportunity:
    """Close an opportunity: it leaves the catalogue and matching; live proposals keep their course."""
    if not can_change_opportunity(actor, opportunity):
        raise PermissionDenied
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if current.status == OpportunityStatus.CLOSED:
        return current
    current.status = OpportunityStatus.CLOSED
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    _audit_opportunity(actor, current, fields=["status"], created=False)
    return current


@transaction.atomic
def opportunity_reopen(*, actor, opportunity: Opportunity) -> Opportunity:
    """Open a closed, suspended or draft opportunity: it is back in the catalogue and in matching."""
    if not can_change_opportunity(actor, opportunity):
        raise PermissionDenied
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if current.status == OpportunityStatus.OPEN:
        return current
    if current.ends_on is not None and current.ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The opportunity has ended: change its dates before opening it again.")})
    current.status = OpportunityStatus.OPEN
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    _audit_opportunity(actor, current, fields=["status"], created=False)
    return current


# ---------------------------------------------------------------------------------------------- work profiles

WORK_PROFILE_FIELDS = (
    "wishes",
    "skills",
    "skills_source",
    "max_hours_per_week",
    "days",
    "reachable_areas",
    "max_travel_minutes",
    "available_from",
    "disclosure",
    "disclosure_text",
    "notes",
)
MAX_WISHES = 8


def _validate_work_profile(profile: WorkProfile) -> None:
    errors = {}
    wishes, seen = [], set()
    for wish in profile.wishes or []:
        kind, code = wish.get("kind"), str(wish.get("code") or "").strip()
        if not code or (kind, code) in seen:
            continue
        seen.add((kind, code))
        if kind == "isco" and not occupations.is_valid(code):
            errors["wishes"] = _("Choose ISCO-08 occupation groups.")
        elif kind == "ateco" and code not in ateco.division_codes():
            errors["wishes"] = _("Choose ATECO 2007 divisions.")
        elif kind not in ("isco", "ateco"):
            errors["wishes"] = _("A wish is an occupation group or a sector.")
        wishes.append({"kind": kind, "code": code})
    if len(wishes) > MAX_WISHES:
        errors["wishes"] = _("At most %(n)d wishes.") % {"n": MAX_WISHES}
    profile.wishes = wishes
    levels = {}
    for code, level in (profile.skills or {}).items():
        try:
            level = int(level)
        except (TypeError, ValueError):
            level = -1
        if code not in skills.codes() or not skills.MIN_LEVEL <= level <= skills.MAX_LEVEL:
            errors["skills"] = _("Skills of the shared vocabulary, with levels from 1 to 5.")
            continue
        levels[code] = level
    profile.skills = levels
    try:
        profile.days = sorted({int(day) for day in profile.days or []})
    except (TypeError, ValueError):
        profile.days = [0]
    if any(day not in Weekday.values for day in profile.days):
        errors["days"] = _("Choose days of the week.")
    profile.reachable_areas = list(dict.fromkeys(a.strip() for a in profile.reachable_areas or [] if a and a.strip()))
    profile.disclosure_text = (profile.disclosure_text or "").strip()
    if profile.disclosure != Disclosure.DETAILS and profile.disclosure_text:
        errors["disclosure_text"] = _("Describe the support only when the candidate chose to tell it.")
    if profile.disclosure == Disclosure.DETAILS and not profile.disclosure_text:
        errors["disclosure_text"] = _("Write what the candidate agreed to tell employers.")
    if errors:
        raise ValidationError(errors)
    _full_clean(profile, exclude=("person", "organisation", "updated_by"))


@transaction.atomic
def work_profile_save(*, actor, person: Person, version: int | None = None, **fields) -> WorkProfile:
    """Create or change a candidate's work profile; `version` is the one the change is based on (None: new)."""
    if not can_change_work_profile(actor, person):
        raise PermissionDenied
    unknown = set(fields) - set(WORK_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown work profile fields: {sorted(unknown)}")
    current = WorkProfile.objects.select_for_update().filter(person=person).first()
    created = current is None
    if created:
        org_ids = access_for(actor).write_org_ids & treating_org_ids(person, access_for(actor).write_org_ids)
        current = WorkProfile(person=person, organisation_id=min(org_ids), updated_by=actor)
        changed = [name for name, value in fields.items() if value not in ("", None, [], {})]
    else:
        if version is None or current.version != version:
            raise StaleObjectError(current)
        changed = [name for name, value in fields.items() if getattr(current, name) != value]
        if not changed:
            return current
        current.version += 1
    for name, value in fields.items():
        setattr(current, name, value)
    current.updated_by = actor
    _validate_work_profile(current)
    current.save()
    audit_log(
        actor=actor,
        action=Action.WORK_PROFILE_SAVE,
        obj=current,
        person=person,
        detail={"created": created, "fields": sorted(changed), "version": current.version},
    )
    return current


# ---------------------------------------------------------------------------------------------- proposals


def _audit_proposal(actor, proposal: Proposal, action, **detail) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=proposal,
        person=proposal.person,
        detail={"opportunity": proposal.opportunity_id, "status": proposal.status, **detail},
    )


@transaction.atomic
def proposal_create(*, actor, opportunity: Opportunity, person: Person, note: str = "") -> Proposal:
    """Propose an open opportunity to a candidate who consented to be proposed to companies."""
    if not can_propose(actor, person):
        raise PermissionDenied
    today = timezone.localdate()
    if not Opportunity.objects.restrict(actor, "view").filter(pk=opportunity.pk).exists():
        raise PermissionDenied
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    errors = []
    if current.status != OpportunityStatus.OPEN:
        errors.append(_("The opportunity is not open."))
    if not person.consents.filter(active_consents(on=today), purpose=ConsentPurpose.COMPANY_CONTACT).exists():
        errors.append(_("The candidate has not consented to be proposed to companies."))
    accepted = current.proposals.filter(status=ProposalStatus.ACCEPTED).count()
    if accepted >= current.seats:
        errors.append(_("The opportunity has no seats left."))
    if Proposal.objects.filter(opportunity=current, person=person, withdrawn_on__isnull=True).exists():
        errors.append(_("This opportunity was already proposed to the candidate."))
    if errors:
        raise ValidationError(errors)
    orgs = access_for(actor).write_org_ids & treating_org_ids(person, access_for(actor).write_org_ids)
    proposal = Proposal(
        opportunity=current,
        person=person,
        organisation_id=min(orgs),
        proposed_by=actor,
        proposed_on=today,
        note=(note or "").strip(),
    )
    _full_clean(proposal, exclude=("opportunity", "person", "organisation", "proposed_by"))
    proposal.save()
    _audit_proposal(actor, proposal, Action.PROPOSAL_SAVE, created=True)
    return proposal


CANDIDATE, EMPLOYER = "candidate", "employer"


@transaction.atomic
def proposal_decide(
    *,
    actor,
    proposal: Proposal,
    side: str,
    decision: str,
    reason: str = "",
    decided_on: datetime.date | None = None,
) -> Proposal:
    """Record the candidate's or the employer's yes or no (a no with its coded reason)."""
    if side == CANDIDATE:
        allowed = can_record_candidate_decision(actor, proposal)
    elif side == EMPLOYER:
        allowed = can_record_employer_decision(actor, proposal)
    else:
        raise ValueError(side)
    if not allowed:
        raise PermissionDenied
    current = Proposal.objects.select_for_update().select_related("person").get(pk=proposal.pk)
    today = timezone.localdate()
    decided_on = decided_on or today
    reasons = CandidateDeclineReason if side == CANDIDATE else EmployerDeclineReason
    errors = {}
    if current.status == ProposalStatus.WITHDRAWN:
        raise ValidationError(_("The proposal was withdrawn."))
    if decision not in (Decision.YES, Decision.NO):
        errors["decision"] = _("Choose yes or no.")
    if decision == Decision.NO and reason not in reasons.values:
        errors["reason"] = _("Choose the reason for the no.")
    if decision == Decision.YES:
        reason = ""
    if decided_on > today:
        errors["decided_on"] = _("A decision cannot be in the future.")
    elif decided_on < current.proposed_on:
        errors["decided_on"] = _("A decision cannot come before the proposal.")
    if errors:
        raise ValidationError(errors)
    if decision == Decision.YES:
        other = current.employer_decision if side == CANDIDATE else current.candidate_decision
        if other == Decision.YES:
            accepted = (
                Proposal.objects.filter(opportunity_id=current.opportunity_id, status=ProposalStatus.ACCEPTED)
                .exclude(pk=current.pk)
                .count()
            )
            if accepted >= Opportunity.objects.get(pk=current.opportunity_id).seats:
                raise ValidationError(_("The opportunity has no seats left."))
    setattr(current, f"{side}_decision", decision)
    setattr(current, f"{side}_reason", reason)
    setattr(current, f"{side}_decided_on", decided_on)
    fields = [f"{side}_decision", f"{side}_reason", f"{side}_decided_on", "updated_at"]
    if side == EMPLOYER:
        current.employer_decided_by = actor
        fields.append("employer_decided_by")
    current.save(update_fields=fields)
    _audit_proposal(actor, current, Action.PROPOSAL_DECIDE, side=side, decision=decision, reason=reason)
    return current


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal) -> Proposal:
    """The proposing team withdraws a proposal that is still waiting."""
    if not can_record_candidate_decision(actor, proposal):
        raise PermissionDenied
    current = Proposal.objects.select_for_update().select_related("person").get(pk=proposal.pk)
    if current.status != ProposalStatus.PENDING:
        raise ValidationError(_("Only a proposal still waiting can be withdrawn."))
    current.withdrawn_on = timezone.localdate()
    current.save(update_fields=["withdrawn_on", "updated_at"])
    _audit_proposal(actor, current, Action.PROPOSAL_SAVE, withdrawn=True)
    return current
