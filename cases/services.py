"""Writes to cases and referrals. Each validates, writes in one transaction and records its audit event."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_for
from accounts.choices import PERSON_WRITE_ROLES
from accounts.models import Unit
from audit.choices import Action
from audit.services import audit_log
from cases.choices import CaseStatus, ReferralStatus
from cases.models import Case, Referral
from core.exceptions import StaleObjectError
from people.choices import ConsentPurpose
from people.models import Consent, Person


def _date(value: datetime.date | None, *, field: str, not_before: datetime.date | None = None) -> datetime.date:
    """Today when empty; never in the future, never before `not_before`."""
    today = timezone.localdate()
    value = value or today
    if value > today:
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before and value < not_before:
        earliest = not_before.strftime("%d/%m/%Y")
        raise ValidationError({field: _("The date cannot be before %(date)s.") % {"date": earliest}})
    return value


def _check_case_manager(case_manager, organisation_id: int, *, field: str = "case_manager") -> None:
    """A case manager is an active operator, coordinator or clinician of the organisation that holds the case."""
    if case_manager is None:
        return
    ok = case_manager.is_active and organisation_id in access_for(case_manager).org_ids(PERSON_WRITE_ROLES)
    if not ok:
        raise ValidationError(
            {field: _("The case manager must be an operator, coordinator or clinician of the organisation.")}
        )


def eligible_case_managers(organisation_id: int):
    """The users who may manage a case of the organisation, by name."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=PERSON_WRITE_ROLES,
            memberships__unit__organisation_id=organisation_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _consent_for_referral(person: Person, from_org_id: int, to_org_id: int) -> Consent | None:
    """The consent a referral rests on: sharing with the receiving organisation, or care inside one organisation."""
    purpose = ConsentPurpose.CARE if from_org_id == to_org_id else ConsentPurpose.SHARING
    return (
        Consent.objects.active()
        .filter(person=person, purpose=purpose, organisation_id=to_org_id)
        .order_by("-given_on", "-pk")
        .first()
    )


def _save_referral(
    actor, person: Person, from_unit: Unit, to_unit: Unit, *, area: str, reason: str, consent: Consent, sent_at,
    detail: dict | None = None,
) -> Referral:  # fmt: skip
    """Save a referral checked by referral_send or referral_send_on, unless one of the person to that unit and area is
    already waiting, with its audit event."""
    with transaction.atomic():
        waiting = Referral.objects.select_for_update().filter(
            person=person, to_unit=to_unit, area=area, status=ReferralStatus.SENT
        )
        if waiting.exists():
            raise ValidationError({"to_unit": _("A referral of this person to this unit is already waiting.")})
        referral = Referral(
            person=person,
            from_unit=from_unit,
            to_unit=to_unit,
            from_organisation_id=from_unit.organisation_id,
            to_organisation_id=to_unit.organisation_id,
            area=area,
            reason=reason,
            consent=consent,
            sent_at=sent_at,
            sent_by=actor,
        )
        referral.full_clean(exclude=["consent", "sent_by", "person", "case"])
        referral.save()
        audit_log(
            actor=actor,
            action=Action.REFERRAL_SEND,
            obj=referral,
            person=person,
            organisation=from_unit.organisation,
            detail={"to_unit": to_unit.pk, "area": area, "consent": consent.pk, **(detail or {})},
        )
    return referral


def referral_send(*, actor, person: Person, from_unit: Unit, to_unit: Unit, area: str, reason: str) -> Referral:
    """Refer a person from one of the actor's units to another unit; refused without the person's consent."""
    access = access_for(actor)
    if from_unit.pk not in access.unit_ids(PERSON_WRITE_ROLES):
        raise ValidationError({"from_unit": _("You may send referrals only from your own units.")})
    if not Person.objects.restrict(actor, "change").filter(pk=person.pk).exists():
        raise PermissionDenied
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the person is referred.")
    if to_unit.pk == from_unit.pk:
        errors["to_unit"] = _("A referral goes to another unit.")
    elif not (to_unit.is_active and to_unit.organisation.is_active):
        errors["to_unit"] = _("This unit no longer receives referrals.")
    if errors:
        raise ValidationError(errors)
    consent = _consent_for_referral(person, from_unit.organisation_id, to_unit.organisation_id)
    if consent is None:
        if from_unit.organisation_id == to_unit.organisation_id:
            message = _("The person has not consented to care by %(org)s: record the consent before referring.")
        else:
            message = _(
                "The person has not consented to share their record with %(org)s: record the sharing consent "
                "before referring."
            )
        raise ValidationError({"to_unit": ValidationError(message % {"org": to_unit.organisation}, code="no_consent")})
    return _save_referral(
        actor, person, from_unit, to_unit, area=area, reason=reason, consent=consent, sent_at=timezone.now()
    )


def _locked_waiting_referral(referral: Referral) -> Referral:
    locked = Referral.objects.select_for_update().select_related("person", "to_unit", "consent").get(pk=referral.pk)
    if locked.status != ReferralStatus.SENT:
        raise ValidationError(
            _("This referral is no longer waiting: its status is %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


def _require_receiver(actor, referral: Referral) -> None:
    if referral.to_organisation_id not in access_for(actor).write_org_ids:
        raise ValidationError(_("Only the receiving organisation can decide on a referral."))


def referral_accept(*, actor, referral: Referral, case_manager=None, opened_on: datetime.date | None = None) -> Case:
    """Accept a waiting referral: a case opens at the receiving unit, managed by `case_manager` (default: the actor)."""
    _require_receiver(actor, referral)
    with transaction.atomic():
        referral = _locked_waiting_referral(referral)
        if not referral.consent.is_active():
            raise ValidationError(_("The person withdrew the consent this referral rests on: it cannot be accepted."))
        if case_manager is None and referral.to_organisation_id in access_for(actor).write_org_ids:
            case_manager = actor
        _check_case_manager(case_manager, referral.to_organisation_id)
        opened_on = _date(opened_on, field="opened_on", not_before=timezone.localtime(referral.sent_at).date())
        case = _open_case(
            actor=actor,
            person=referral.person,
            unit=referral.to_unit,
            area=referral.area,
            case_manager=case_manager,
            opened_on=opened_on,
            detail={"referral": referral.pk},
        )
        referral.status = ReferralStatus.ACCEPTED
        referral.decided_at = timezone.now()
        referral.decided_by = actor
        referral.case = case
        referral.save()
        audit_log(
            actor=actor,
            action=Action.REFERRAL_ACCEPT,
            obj=referral,
            person=referral.person,
            organisation=referral.to_unit.organisation,
            detail={"case": case.pk},
        )
    return case


def referral_reject(*, actor, referral: Referral, reason: str) -> Referral:
    """Reject a waiting referral, with the reason the sender will read."""
    _require_receiver(actor, referral)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the referral is rejected.")})
    with transaction.atomic():
        referral = _locked_waiting_referral(referral)
        referral.status = ReferralStatus.REJECTED
        referral.rejection_reason = reason
        referral.decided_at = timezone.now()
        referral.decided_by = actor
        referral.save()
        audit_log(actor=actor, action=Action.REFERRAL_REJECT, obj=referral, person=referral.person)
    return referral


def referral_withdraw(*, actor, referral: Referral) -> Referral:
    """The sending organisation withdraws a referral still waiting."""
    if referral.from_organisation_id not in access_for(actor).write_org_ids:
        raise ValidationError(_("Only the sending organisation can withdraw a referral."))
    with transaction.atomic():
        referral = _locked_waiting_referral(referral)
        referral.status = ReferralStatus.WITHDRAWN
        referral.withdrawn_at = timezone.now()
        referral.save()
        audit_log(actor=actor, action=Action.REFERRAL_WITHDRAW, obj=referral, person=referral.person)
    return referral


def _open_case(*, actor, person, unit, area, case_manager, opened_on, detail=None) -> Case:
    if Case.objects.filter(person=person, unit=unit, area=area, closed_on__isnull=True).exists():
        raise ValidationError(_("The person already has an open case in %(unit)s for this area.") % {"unit": unit.name})
    case = Case(
        person=person,
        organisation_id=unit.organisation_id,
        unit=unit,
        area=area,
        case_manager=case_manager,
        opened_on=opened_on,
    )
    case.full_clean(exclude=["person", "case_manager"])
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ValidationError(_("The person already has an open case in this unit for this area.")) from exc
    audit_log(
        actor=actor, action=Action.CASE_OPEN, obj=case, person=person, organisation=unit.organisation, detail=detail
    )
    return case


def _follows(person: Person, organisation_id: int) -> bool:
    """Whether the organisation may take the person in charge directly, without a referral.

    It may when it registered the person, already has a case of theirs, or holds their consent to care.
    A sharing consent alone lets it read the record, not treat the person: that takes a referral, whose
    acceptance opens the case.
    """
    return (
        person.registered_by_id == organisation_id
        or Case.objects.filter(person=person, organisation_id=organisation_id).exists()
        or Consent.objects.active()
        .filter(person=person, purpose=ConsentPurpose.CARE, organisation_id=organisation_id)
        .exists()
    )


def case_open(
    *, actor, person: Person, unit: Unit, area: str, case_manager=None, opened_on: datetime.date | None = None
) -> Case:
    """Take a person the actor's organisation sees in charge in one of its units."""
    access = access_for(actor)
    if unit.organisation_id not in access.write_org_ids:
        raise ValidationError({"unit": _("You may open cases only in the units of your organisation.")})
    if not unit.is_active:
        raise ValidationError({"unit": _("This unit is no longer active.")})
    if not Person.objects.restrict(actor, "view").filter(pk=person.pk).exists():
        raise PermissionDenied
    if not _follows(person, unit.organisation_id):
        message = _(
            "%(org)s does not follow this person yet: record the person's consent to care by %(org)s, or ask "
            "the organisation that follows them to refer them."
        )
        raise ValidationError({"unit": ValidationError(message % {"org": unit.organisation}, code="no_consent")})
    _check_case_manager(case_manager, unit.organisation_id)
    opened_on = _date(opened_on, field="opened_on")
    with transaction.atomic():
        return _open_case(
            actor=actor, person=person, unit=unit, area=area, case_manager=case_manager, opened_on=opened_on
        )


def _noon(day: datetime.date) -> datetime.datetime:
    """A day of the past as a moment: noon, local time (old records keep no time of day)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def referral_send_on(
    *, actor, person: Person, from_unit: Unit, to_unit: Unit, area: str, reason: str, sent_on: datetime.date,
    detail: dict | None = None,
) -> Referral:  # fmt: skip
    """Record a referral sent on a past day (the history of an old system), by the sending or the receiving
    organisation: the checks of referral_send, at that day.

    One of the two units is the actor's; the sender treats the person; a reason is given; the day is not in the
    future; the consent the referral rests on was in force on that day; and a referral of the person to that unit
    and area is not already waiting. The referral waits, as one sent then; its decision is recorded after
    (referral_accept_on, referral_reject_on, referral_withdraw_on).
    """
    access = access_for(actor)
    units = access.unit_ids(PERSON_WRITE_ROLES)
    orgs = access.org_ids(PERSON_WRITE_ROLES)
    if from_unit.pk not in units and to_unit.organisation_id not in orgs:
        raise ValidationError(
            {"from_unit": _("A referral is recorded by the organisation that sent it or by the one that received it.")}
        )
    # The sender treats the person; the receiver records only a person in its reach.
    reach = "change" if from_unit.organisation_id in orgs else "view"
    if not Person.objects.restrict(actor, reach).filter(pk=person.pk).exists():
        raise PermissionDenied
    reason = (reason or "").strip()
    sent_on = _date(sent_on, field="sent_on")
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the person is referred.")
    if to_unit.pk == from_unit.pk:
        errors["to_unit"] = _("A referral goes to another unit.")
    if errors:
        raise ValidationError(errors)
    purpose = ConsentPurpose.CARE if from_unit.organisation_id == to_unit.organisation_id else ConsentPurpose.SHARING
    in_force = [
        c
        for c in Consent.objects.filter(
            person=person, purpose=purpose, organisation_id=to_unit.organisation_id
        ).order_by("-given_on", "-pk")
        if c.is_active(sent_on)
    ]
    if not in_force:
        raise ValidationError(
            {"sent_on": _("The person had not consented to this referral on that day: record the consent first.")}
        )
    return _save_referral(
        actor, person, from_unit, to_unit, area=area, reason=reason, consent=in_force[0], sent_at=_noon(sent_on),
        detail={"sent_on": sent_on.isoformat(), **(detail or {})},
    )  # fmt: skip


def referral_accept_on(
    *, actor, referral: Referral, decided_on: datetime.date, case: Case | None = None, case_manager=None,
    detail: dict | None = None,
) -> Case:  # fmt: skip
    """Accept a waiting referral on a past day (the history of an old system): the case it opened is `case`, one
    already recorded at the receiving unit, or a new one opened on `decided_on` with `case_manager`.

    The checks of referral_accept, at that day: the receiver decides, the consent was in force on the day.
    """
    _require_receiver(actor, referral)
    with transaction.atomic():
        referral = _locked_waiting_referral(referral)
        sent_on = timezone.localtime(referral.sent_at).date()
        decided_on = _date(decided_on, field="decided_on", not_before=sent_on)
        if not referral.consent.is_active(decided_on):
            raise ValidationError(
                {"decided_on": _("The person had withdrawn the consent this referral rests on by this date.")}
            )
        if case is not None:
            linked = Referral.objects.filter(case=case).exclude(pk=referral.pk).exists()
            slot = (case.person_id, case.unit_id, case.area)
            if slot != (referral.person_id, referral.to_unit_id, referral.area) or case.opened_on < sent_on or linked:
                raise ValidationError(
                    {"case": _("This case was not opened by this referral: another person, unit, area or date.")}
                )
        else:
            _check_case_manager(case_manager, referral.to_organisation_id)
            case = _open_case(
                actor=actor,
                person=referral.person,
                unit=referral.to_unit,
                area=referral.area,
                case_manager=case_manager,
                opened_on=decided_on,
                detail={"referral": referral.pk, **(detail or {})},
            )
        referral.status = ReferralStatus.ACCEPTED
        referral.decided_at = _noon(decided_on)
        referral.decided_by = actor
        referral.case = case
        referral.save()
        audit_log(
            actor=actor,
            action=Action.REFERRAL_ACCEPT,
            obj=referral,
            person=referral.person,
            organisation=referral.to_unit.organisation,
            detail={"case": case.pk, "decided_on": decided_on.isoformat(), **(detail or {})},
        )
    return case


def referral_reject_on(
    *, actor, referral: Referral, decided_on: datetime.date, reason: str, detail: dict | None = None
) -> Referral:
    """Reject a waiting referral on a past day (the history of an old system), with the reason the sender read.

    The checks of referral_reject, at that day: the receiver decides, a reason is given; the day is not in the
    future and not before the referral was sent.
    """
    _require_receiver(actor, referral)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the referral is rejected.")})
    if decided_on is None:
        raise ValidationError({"decided_on": _("Give the day the referral was decided.")})
    with transaction.atomic():
        referral = _locked_waiting_referral(referral)
        sent_on = timezone.localtime(referral.sent_at).date()
        decided_on = _date(decided_on, field="decided_on", not_before=sent_on)
        referral.status = ReferralStatus.REJECTED
        referral.rejection_reason = reason
        referral.decided_at = _noon(decided_on)
        referral.decided_by = actor
        referral.save()
        audit_log(
            actor=actor,
            action=Action.REFERRAL_REJECT,
            obj=referral,
            person=referral.person,
            organisation=referral.to_unit.organisation,
            detail={"decided_on": decided_on.isoformat(), **(detail or {})},
        )
    return referral


def referral_withdraw_on(
    *, actor, referral: Referral, withdrawn_on: datetime.date, detail: dict | None = None
) -> Referral:
    """The sending organisation withdraws a waiting referral on a past day (the history of an old system).

    The checks of referral_withdraw, at that day: the sender withdraws; the day is not in the future and not before
    the referral was sent.
    """
    if referral.from_organisation_id not in access_for(actor).write_org_ids:
        raise ValidationError(_("Only the sending organisation can withdraw a referral."))
    if withdrawn_on is None:
        raise ValidationError({"withdrawn_on": _("Give the day the referral was withdrawn.")})
    with transaction.atomic():
        referral = _locked_waiting_referral(referral)
        sent_on = timezone.localtime(referral.sent_at).date()
        withdrawn_on = _date(withdrawn_on, field="withdrawn_on", not_before=sent_on)
        referral.status = ReferralStatus.WITHDRAWN
        referral.withdrawn_at = _noon(withdrawn_on)
        referral.save()
        audit_log(
            actor=actor,
            action=Action.REFERRAL_WITHDRAW,
            obj=referral,
            person=referral.person,
            organisation=referral.from_organisation,
            detail={"withdrawn_on": withdrawn_on.isoformat(), **(detail or {})},
        )
    return referral


def case_record_closed(
    *,
    actor,
    person: Person,
    unit: Unit,
    area: str,
    opened_on: datetime.date,
    closed_on: datetime.date,
    closing_reason: str,
    closing_note: str = "",
    case_manager=None,
    detail: dict | None = None,
) -> Case:
    """Record a past case that is already closed, with its real dates (the history of an old system).

    The rules of case_open apply, except that the unit may have closed since; the case may sit next to an open
    case of the same unit and area, but not overlap any case of the person there.
    """
    access = access_for(actor)
    if unit.organisation_id not in access.write_org_ids:
        raise ValidationError({"unit": _("You may open cases only in the units of your organisation.")})
    if not Person.objects.restrict(actor, "view").filter(pk=person.pk).exists():
        raise PermissionDenied
    if not _follows(person, unit.organisation_id):
        message = _(
            "%(org)s does not follow this person yet: record the person's consent to care by %(org)s, or ask "
            "the organisation that follows them to refer them."
        )
        raise ValidationError({"unit": ValidationError(message % {"org": unit.organisation}, code="no_consent")})
    _check_case_manager(case_manager, unit.organisation_id)
    if opened_on is None:
        raise ValidationError({"opened_on": _("Give the day the case was opened.")})
    opened_on = _date(opened_on, field="opened_on")
    if closed_on is None:
        raise ValidationError({"closed_on": _("Give the day the case was closed.")})
    closed_on = _date(closed_on, field="closed_on", not_before=opened_on)
    if not closing_reason:
        raise ValidationError({"closing_reason": _("Say why the case was closed.")})
    with transaction.atomic():
        # Locks the person's cases in this unit and area, so that two imports cannot add overlapping ones.
        others = list(Case.objects.select_for_update().filter(person=person, unit=unit, area=area))
        for other in others:
            if other.opened_on < closed_on and (other.closed_on is None or opened_on < other.closed_on):
                raise ValidationError(
                    {
                        "opened_on": _(
                            "The person has another case in %(unit)s for this area from %(date)s: the dates overlap."
                        )
                        % {"unit": unit.name, "date": other.opened_on.strftime("%d/%m/%Y")}
                    }
                )
        case = Case(
            person=person,
            organisation_id=unit.organisation_id,
            unit=unit,
            area=area,
            case_manager=case_manager,
            opened_on=opened_on,
            closed_on=closed_on,
            closing_reason=closing_reason or "",
            closing_note=(closing_note or "").strip(),
            status=CaseStatus.CLOSED,
        )
        case.full_clean(exclude=["person", "case_manager"])
        case.save()
        detail = {"historical": True, **(detail or {})}
        audit_log(
            actor=actor, action=Action.CASE_OPEN, obj=case, person=person, organisation=unit.organisation, detail=detail
        )
        audit_log(
            actor=actor,
            action=Action.CASE_CLOSE,
            obj=case,
            person=person,
            organisation=unit.organisation,
            detail={"reason": case.closing_reason, "version": case.version, **detail},
        )
    return case


def _locked_case(actor, case: Case, version: int | None) -> Case:
    if case.organisation_id not in access_for(actor).write_org_ids:
        raise PermissionDenied
    current = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and current.version != version:
        raise StaleObjectError(current)
    return current


def case_close(
    *,
    actor,
    case: Case,
    closed_on: datetime.date,
    closing_reason: str,
    closing_note: str = "",
    version: int | None = None,
) -> Case:
    """Close an open case with its date and reason."""
    with transaction.atomic():
        case = _locked_case(actor, case, version)
        if not case.is_open:
            raise ValidationError(_("This case is already closed."))
        case.closed_on = _date(closed_on, field="closed_on", not_before=case.opened_on)
        case.closing_reason = closing_reason
        case.closing_note = (closing_note or "").strip()
        case.status = CaseStatus.CLOSED
        case.version += 1
        case.full_clean(exclude=["person", "case_manager", "unit", "organisation"])
        case.save()
        audit_log(
            actor=actor,
            action=Action.CASE_CLOSE,
            obj=case,
            person=case.person,
            detail={"reason": closing_reason, "version": case.version},
        )
    return case


def case_assign(*, actor, case: Case, case_manager, version: int | None = None) -> Case:
    """Give the case to another case manager of its organisation."""
    with transaction.atomic():
        case = _locked_case(actor, case, version)
        if not case.is_open:
            raise ValidationError(_("A closed case cannot be reassigned."))
        _check_case_manager(case_manager, case.organisation_id)
        if case_manager is None:
            raise ValidationError({"case_manager": _("Choose the case manager.")})
        if case.case_manager_id == case_manager.pk:
            return case
        previous = case.case_manager_id
        case.case_manager = case_manager
        case.version += 1
        case.save()
        audit_log(
            actor=actor,
            action=Action.CASE_UPDATE,
            obj=case,
            person=case.person,
            detail={"fields": ["case_manager"], "from": previous, "to": case_manager.pk, "version": case.version},
        )
    return case
