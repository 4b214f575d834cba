"""Writes to paths, attendance, follow-ups, events, activities and groups.

Each service is keyword-only, checks who acts, validates, writes in one transaction and records its audit event.
A row of another organisation is refused with PermissionDenied (pages turn it into a 404).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_for
from accounts.choices import PERSON_WRITE_ROLES, Role, UnitKind
from accounts.models import Organisation, Unit
from audit.choices import Action
from audit.services import audit_log
from cases.choices import ClosingReason
from cases.models import Case
from core.exceptions import StaleObjectError
from paths import rules as rules_mod
from paths import steps
from paths.choices import (
    CLINICAL_EVENT_KINDS,
    FINAL_STATUSES,
    FOLLOW_UP_MONTHS,
    HIRING_KINDS,
    INTERNSHIP_KINDS,
    EnrolmentStatus,
    EventKind,
    FollowUpOutcome,
    GroupStatus,
    InterruptionReason,
    PathKind,
    PathStatus,
    Profession,
)
from paths.models import (
    Activity,
    Enrolment,
    FollowUp,
    GroupSession,
    InternshipRules,
    MonthlyAttendance,
    Path,
    PathChange,
    ProgrammeEvent,
    SessionAttendance,
    TrainingGroup,
)
from paths.selectors import ceiling_status, host_interns_running
from people.choices import ConsentPurpose
from people.models import Consent, Person
from people.permissions import treating_org_ids

# ---------------------------------------------------------------------------------------------- helpers


def _today() -> datetime.date:
    return timezone.localdate()


def _require_write(actor, organisation_id: int) -> None:
    if organisation_id not in access_for(actor).write_org_ids:
        raise PermissionDenied


def _person_changeable(actor, person: Person) -> None:
    if not Person.objects.restrict(actor, "change").filter(pk=person.pk).exists():
        raise PermissionDenied


def _rules() -> list[InternshipRules]:
    """The internship rule sets Ponte holds, newest first (a handful of rows)."""
    return list(InternshipRules.objects.order_by("-valid_from"))


def _rules_on(day: datetime.date) -> InternshipRules:
    found = steps.rules_on(_rules(), day)
    if found is None:
        raise ValidationError({"starts_on": _("No internship rules are in force on this date: ask a coordinator.")})
    return found


def _record_change(path: Path, actor, *, from_status: str, on, reason: str = "", note: str = "", fields=()) -> None:
    PathChange.objects.create(
        path=path,
        from_status=from_status,
        to_status=path.status,
        on=on,
        reason=reason,
        note=note,
        fields=list(fields),
        by=actor,
    )


def _locked_path(actor, path: Path, version: int | None) -> Path:
    _require_write(actor, path.organisation_id)
    current = Path.objects.select_for_update().select_related("host", "person").get(pk=path.pk)
    if version is not None and current.version != version:
        raise StaleObjectError(current)
    return current


# ---------------------------------------------------------------------------------------------- paths

PATH_FIELDS = (
    "proposal",
    "kind",
    "title",
    "host",
    "opportunity",
    "starts_on",
    "planned_end_on",
    "hours_per_week",
    "days_per_week",
    "host_tutor",
    "service_tutor",
    "beneficiary_category",
    "monthly_indemnity",
    "meal_vouchers",
)


def predates_rules(day: datetime.date) -> bool:
    """Whether `day` is before the earliest internship rule set Ponte holds: no rule set to check a path against."""
    return steps.rules_on(_rules(), day) is None


def _validate_path(path: Path, *, historical: bool = False) -> bool:
    """Raise what makes the path invalid (paths.steps.check_path, then the model's validation); returns whether the
    Lombardy internship rules were checked. `historical` is for the import of paths of the past only."""

    def interns() -> int:
        end = path.planned_end_on or path.starts_on
        return host_interns_running(path.host_id, path.starts_on, end, exclude_pk=path.pk)

    checked = steps.check_path(path, rules=_rules(), host_interns=interns, historical=historical)
    path.full_clean(exclude=["person", "case", "host", "opportunity", "service_tutor", "previous", "organisation"])
    return checked


def _unchecked_note() -> str:
    return _(
        "Recorded without the Lombardy internship rules (duration, indemnity, host's interns): it started before "
        "the earliest rule set Ponte holds."
    )


def path_create(*, actor, person: Person, case: Case | None, historical: bool = False, **fields) -> Path:
    """Plan a path for a person, in the actor's organisation (the case's, when there is one).

    `historical` is for the import of paths of the past only (see _validate_path): an internship older than the
    rules Ponte holds is then recorded unchecked, and its history and audit event say so.
    """
    unknown = set(fields) - set(PATH_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields {sorted(unknown)}")
    _person_changeable(actor, person)
    if case is not None:
        if case.person_id != person.pk:
            raise ValidationError({"case": _("The case is not this person's.")})
        organisation_id = case.organisation_id
    else:
        writable = access_for(actor).write_org_ids
        organisation_id = min(treating_org_ids(person, writable) or writable or {0})
    _require_write(actor, organisation_id)
    proposal = fields.get("proposal")
    if proposal is not None:
        _check_proposal(proposal, person)
    with transaction.atomic():
        path = Path(person=person, case=case, organisation_id=organisation_id, **fields)
        checked = _validate_path(path, historical=historical)
        path.save()
        unchecked = path.is_internship and not checked
        _record_change(path, actor, from_status="", on=path.starts_on, note=_unchecked_note() if unchecked else "")
        detail = {"created": True, **({"rules_checked": False} if unchecked else {})}
        audit_log(actor=actor, action=Action.PATH_SAVE, obj=path, person=person, detail=detail)
    return path


def _check_proposal(proposal, person: Person) -> None:
    from opportunities.choices import ProposalStatus

    if proposal.person_id != person.pk:
        raise ValidationError({"proposal": _("The proposal is not this person's.")})
    if proposal.status != ProposalStatus.ACCEPTED:
        raise ValidationError({"proposal": _("A path starts only from an accepted proposal.")})
    if Path.objects.filter(proposal=proposal).exists():
        raise ValidationError({"proposal": _("A path already started from this proposal.")})


# The path kind an opportunity of each kind starts by default.
KIND_FOR_OPPORTUNITY = {
    "course": PathKind.COURSE,
    "internship": PathKind.INTERNSHIP,
    "job": PathKind.HIRING_OPEN_ENDED,
    "law68": PathKind.LAW68_HIRING,
    "volunteering": PathKind.VOLUNTEERING,
}


def path_defaults_from_proposal(proposal) -> dict:
    """What an accepted proposal tells of the path: kind, host, opportunity, title, hours and dates."""
    opportunity = proposal.opportunity
    host = opportunity.employer.organisation if opportunity.employer_id else opportunity.organisation
    return {
        "proposal": proposal,
        "opportunity": opportunity,
        "kind": KIND_FOR_OPPORTUNITY.get(opportunity.kind, PathKind.INTERNSHIP),
        "host": host,
        "title": opportunity.title,
        "hours_per_week": opportunity.hours_per_week,
        "starts_on": opportunity.starts_on,
        "planned_end_on": opportunity.ends_on,
    }


def path_update(*, actor, path: Path, version: int, historical: bool = False, **changes) -> Path:
    """Change a path's details (not its state), based on `version` of it; `historical` as in path_create."""
    unknown = set(changes) - set(PATH_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields {sorted(unknown)}")
    with transaction.atomic():
        current = _locked_path(actor, path, version)
        if not current.is_open:
            raise ValidationError(_("A path that has ended cannot be changed."))
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, changes[name])
        unchecked = current.is_internship and not _validate_path(current, historical=historical)
        current.version += 1
        current.save()
        note = _unchecked_note() if unchecked else ""
        _record_change(current, actor, from_status=current.status, on=_today(), fields=changed, note=note)
        detail = {"fields": sorted(changed), "version": current.version}
        audit_log(
            actor=actor,
            action=Action.PATH_SAVE,
            obj=current,
            person=current.person,
            detail={**detail, "rules_checked": False} if unchecked else detail,
        )
    return current


def _schedule_follow_ups(path: Path) -> None:
    """The job-maintenance checks at 1, 3, 6 and 12 months after the hiring started."""
    for months in FOLLOW_UP_MONTHS:
        FollowUp.objects.get_or_create(
            path=path, months=months, defaults={"due_on": rules_mod.add_months(path.starts_on, months)}
        )


def _close_follow_ups(path: Path) -> None:
    """Checks after the end of a job are no longer needed."""
    path.follow_ups.filter(done_on__isnull=True, due_on__gt=path.ended_on).update(cancelled=True)


def path_transition(
    *,
    actor,
    path: Path,
    to_status: str,
    on: datetime.date | None = None,
    reason: str = "",
    note: str = "",
    version: int | None = None,
) -> Path:
    """Move a path to another state; an interruption needs its coded reason, a job's end may say why it ended."""
    if to_status == PathStatus.CONVERTED:
        raise ValidationError({"to_status": _("Use the conversion to a hiring, which opens the hiring path.")})
    with transaction.atomic():
        current = _locked_path(actor, path, version)
        previous, reason, on = steps.apply_transition(current, to_status=to_status, on=on, reason=reason, note=note)
        current.save()
        if to_status == PathStatus.ACTIVE and current.is_hiring:
            _schedule_follow_ups(current)
        if to_status in FINAL_STATUSES:
            _close_follow_ups(current)
        _record_change(current, actor, from_status=previous, on=on, reason=reason, note=note)
        audit_log(
            actor=actor,
            action=Action.PATH_SAVE,
            obj=current,
            person=current.person,
            detail={"from": previous, "to": to_status, "reason": reason, "version": current.version},
        )
    return current


def path_convert_to_hiring(
    *,
    actor,
    path: Path,
    kind: str,
    starts_on: datetime.date,
    planned_end_on: datetime.date | None = None,
    hours_per_week: Decimal | None = None,
    title: str = "",
    version: int | None = None,
) -> Path:
    """An active internship becomes a hiring at the same host: the internship closes as converted and the hiring
    path opens, active, with its follow-up checks. Returns the hiring.
    """
    if kind not in HIRING_KINDS:
        raise ValidationError({"kind": _("Choose the kind of hiring.")})
    with transaction.atomic():
        current = _locked_path(actor, path, version)
        if current.kind not in INTERNSHIP_KINDS or current.status != PathStatus.ACTIVE:
            raise ValidationError(_("Only an active internship can be converted to a hiring."))
        if starts_on < current.starts_on:
            raise ValidationError({"starts_on": _("The hiring cannot start before the internship.")})
        if starts_on > _today():
            raise ValidationError({"starts_on": _("Record the conversion on the day the hiring starts.")})
        previous = current.status
        current.status = PathStatus.CONVERTED
        current.ended_on = max(current.starts_on, starts_on - datetime.timedelta(days=1))
        current.version += 1
        current.save()
        _record_change(current, actor, from_status=previous, on=current.ended_on)
        hiring = Path(
            person=current.person,
            organisation_id=current.organisation_id,
            case=current.case,
            host=current.host,
            opportunity=current.opportunity,
            previous=current,
            kind=kind,
            status=PathStatus.ACTIVE,
            title=title or current.title,
            starts_on=starts_on,
            planned_end_on=planned_end_on,
            hours_per_week=hours_per_week if hours_per_week is not None else current.hours_per_week,
            days_per_week=current.days_per_week,
            host_tutor=current.host_tutor,
            service_tutor=current.service_tutor,
            beneficiary_category=current.beneficiary_category,
        )
        _validate_path(hiring)
        hiring.save()
        _record_change(hiring, actor, from_status="", on=starts_on, note=_("Converted from the internship."))
        _schedule_follow_ups(hiring)
        audit_log(
            actor=actor,
            action=Action.PATH_SAVE,
            obj=hiring,
            person=hiring.person,
            detail={"converted_from": current.pk, "kind": kind},
        )
    return hiring


# ---------------------------------------------------------------------------------------------- attendance


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def attendance_record(
    *, actor, path: Path, month: datetime.date, planned_hours: Decimal, attended_hours: Decimal, note: str = ""
) -> MonthlyAttendance:
    """Enter (or correct) an internship's attendance for a month; the indemnity due is computed from it."""
    _require_write(actor, path.organisation_id)
    if path.kind not in INTERNSHIP_KINDS:
        raise ValidationError(_("Attendance and indemnity are entered for internships only."))
    month = first_of_month(month)
    if month < first_of_month(path.starts_on) or (path.ended_on and month > path.ended_on):
        raise ValidationError({"month": _("The month is outside the internship.")})
    if month > _today():
        raise ValidationError({"month": _("The month has not started yet.")})
    if planned_hours is None or planned_hours <= 0:
        raise ValidationError({"planned_hours": _("Enter the hours planned in the month.")})
    if attended_hours is None or attended_hours < 0 or attended_hours > planned_hours:
        raise ValidationError({"attended_hours": _("The hours attended go from 0 to the hours planned.")})
    if path.monthly_indemnity is None:
        raise ValidationError(_("Enter the internship's monthly indemnity first."))
    due = rules_mod.indemnity_due(
        _rules_on(month), monthly=path.monthly_indemnity, planned_hours=planned_hours, attended_hours=attended_hours
    )
    with transaction.atomic():
        row, created = MonthlyAttendance.objects.update_or_create(
            path=path,
            month=month,
            defaults={
                "planned_hours": planned_hours,
                "attended_hours": attended_hours,
                "indemnity_due": due,
                "note": (note or "").strip(),
                "recorded_by": actor,
            },
        )
        audit_log(
            actor=actor,
            action=Action.PATH_SAVE,
            obj=path,
            person=path.person,
            detail={"attendance": month.isoformat(), "indemnity_due": str(due), "created": created},
        )
    return row


# ---------------------------------------------------------------------------------------------- follow-up


def follow_up_record(
    *, actor, follow_up: FollowUp, outcome: str, done_on: datetime.date | None = None, note: str = ""
) -> FollowUp:
    """Record a job-maintenance check and its outcome."""
    path = follow_up.path
    _require_write(actor, path.organisation_id)
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the check.")})
    done_on = done_on or _today()
    if done_on > _today():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    if done_on < path.starts_on:
        raise ValidationError({"done_on": _("The date cannot be before the hiring.")})
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if follow_up.cancelled:
            raise ValidationError(_("This check is no longer needed: the job has ended."))
        follow_up.done_on = done_on
        follow_up.outcome = outcome
        follow_up.note = (note or "").strip()
        follow_up.done_by = actor
        follow_up.save()
        audit_log(
            actor=actor,
            action=Action.PATH_EVENT,
            obj=path,
            person=path.person,
            detail={"follow_up": follow_up.months, "outcome": outcome},
        )
    return follow_up


def follow_ups_waive_before(*, actor, path: Path, before: datetime.date) -> int:
    """Mark the checks of a path due before `before` and not done as no longer needed; returns how many.

    For the past of a job imported from an old system, which kept no checks: they would otherwise show as overdue.
    """
    with transaction.atomic():
        current = _locked_path(actor, path, None)
        waived = current.follow_ups.filter(done_on__isnull=True, cancelled=False, due_on__lt=before).update(
            cancelled=True
        )
        if waived:
            audit_log(
                actor=actor,
                action=Action.PATH_SAVE,
                obj=current,
                person=current.person,
                detail={"follow_ups_waived": waived, "before": before.isoformat()},
            )
    return waived


def follow_up_reminders(*, today: datetime.date | None = None) -> int:
    """Raise the reminder of every check that has come due and was not reminded yet; returns how many.

    The background job calls this daily; the agenda and the home page show what is due and overdue.
    """
    today = today or _today()
    return FollowUp.objects.due(today).filter(reminded_on__isnull=True).update(reminded_on=today)


# ---------------------------------------------------------------------------------------------- events


def _event_org_for_hospitalisation(actor, person: Person) -> int:
    clinical = access_for(actor).clinical_org_ids
    treating = treating_org_ids(person, clinical)
    if not treating:
        raise PermissionDenied
    return min(treating)


def event_record(
    *,
    actor,
    person: Person,
    kind: str,
    occurred_on: datetime.date,
    ended_on: datetime.date | None = None,
    path: Path | None = None,
    note: str = "",
    running_then_only: bool = False,
) -> ProgrammeEvent:
    """Record a programme event. A hospitalisation is recorded by a clinical role of an organisation treating the
    person; a drop-out closes the organisation's open cases of the person and interrupts its open paths (with
    `running_then_only`, for a drop-out of the past, only those that had started by its date).
    """
    if kind not in EventKind.values:
        raise ValidationError({"kind": _("Choose the event.")})
    if occurred_on is None or occurred_on > _today():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if ended_on is not None and (ended_on < occurred_on or ended_on > _today()):
        raise ValidationError({"ended_on": _("The discharge falls between the admission and today.")})
    if kind in CLINICAL_EVENT_KINDS:
        organisation_id = _event_org_for_hospitalisation(actor, person)
    else:
        _person_changeable(actor, person)
        if ended_on is not None:
            raise ValidationError({"ended_on": _("Only a hospitalisation has a discharge date.")})
        organisation_id = (
            path.organisation_id if path else min(treating_org_ids(person, access_for(actor).write_org_ids) or {0})
        )
        _require_write(actor, organisation_id)
    if path is not None and (
        path.person_id != person.pk or path.organisation_id not in access_for(actor).person_org_ids
    ):
        raise ValidationError({"path": _("The path is not one of this person's paths here.")})
    with transaction.atomic():
        event = ProgrammeEvent.objects.create(
            person=person,
            organisation_id=organisation_id,
            path=path,
            case=path.case if path else None,
            kind=kind,
            occurred_on=occurred_on,
            ended_on=ended_on,
            note=(note or "").strip(),
            recorded_by=actor,
        )
        audit_log(actor=actor, action=Action.PATH_EVENT, obj=event, person=person, detail={"kind": kind})
        if kind == EventKind.DROP_OUT:
            _apply_drop_out(actor, event, running_then_only=running_then_only)
    return event


def _apply_drop_out(actor, event: ProgrammeEvent, *, running_then_only: bool = False) -> None:
    """A drop-out closes the organisation's open cases of the person and interrupts its open paths."""
    from cases.services import case_close

    paths = Path.objects.open().filter(person=event.person, organisation_id=event.organisation_id)
    cases = Case.objects.open().filter(person=event.person, organisation_id=event.organisation_id)
    if running_then_only:
        paths, cases = paths.filter(starts_on__lte=event.occurred_on), cases.filter(opened_on__lte=event.occurred_on)
    for path in paths:
        path_transition(
            actor=actor,
            path=path,
            to_status=PathStatus.INTERRUPTED,
            on=max(event.occurred_on, path.starts_on),
            reason=InterruptionReason.DROP_OUT,
        )
    for case in cases:
        case_close(
            actor=actor,
            case=case,
            closed_on=max(event.occurred_on, case.opened_on),
            closing_reason=ClosingReason.DROP_OUT,
            closing_note=_("Drop-out from the programme."),
        )
        if event.case_id is None:
            event.case = case
            event.save(update_fields=["case"])


def event_discharge(*, actor, event: ProgrammeEvent, ended_on: datetime.date) -> ProgrammeEvent:
    """Record the discharge of a hospitalisation."""
    if event.kind != EventKind.HOSPITALISATION:
        raise ValidationError(_("Only a hospitalisation has a discharge."))
    if not ProgrammeEvent.objects.restrict(actor, "change").filter(pk=event.pk).exists():
        raise PermissionDenied
    if ended_on < event.occurred_on or ended_on > _today():
        raise ValidationError({"ended_on": _("The discharge falls between the admission and today.")})
    with transaction.atomic():
        event.ended_on = ended_on
        event.save(update_fields=["ended_on", "updated_at"])
        audit_log(actor=actor, action=Action.PATH_EVENT, obj=event, person=event.person, detail={"discharge": True})
    return event


# ---------------------------------------------------------------------------------------------- activities

# Words of the free-text profession of a user (accounts.User.profession, in Italian or English) and the coded
# profession of the activity flow they mean.
PROFESSION_WORDS = (
    ("psichiatr", Profession.PSYCHIATRIST),
    ("psychiatr", Profession.PSYCHIATRIST),
    ("psicolog", Profession.PSYCHOLOGIST),
    ("psycholog", Profession.PSYCHOLOGIST),
    ("infermier", Profession.NURSE),
    ("nurse", Profession.NURSE),
    ("riabilitazione", Profession.REHAB_TECHNICIAN),
    ("rehabilitation", Profession.REHAB_TECHNICIAN),
    ("educat", Profession.EDUCATOR),
    ("assistente sociale", Profession.SOCIAL_WORKER),
    ("social worker", Profession.SOCIAL_WORKER),
    ("coach", Profession.JOB_COACH),
)


def profession_code(text: str) -> str:
    """The coded profession a free-text profession means (other when unknown)."""
    text = (text or "").lower()
    if text in Profession.values:
        return text
    return next((code for word, code in PROFESSION_WORDS if word in text), Profession.OTHER)


def profession_of(user) -> str:
    """The coded profession of a user, from their profession as written on their account."""
    return profession_code(getattr(user, "profession", ""))


OVER_CEILING = "over_ceiling"


def activity_record(
    *,
    actor,
    performed_on: datetime.date,
    minutes: int,
    kind: str,
    person: Person | None = None,
    path: Path | None = None,
    profession: str = "",
    programme_code: str = "",
    note: str = "",
    accept_over_ceiling: bool = False,
    operator=None,
) -> Activity:
    """Record an operator's activity; a non-attributable one that would take the year's share above the ceiling
    is refused with code "over_ceiling" unless `accept_over_ceiling` (the page asks first).

    The operator is the actor, or `operator` when a coordinator records for an operator of the same organisation
    (the imports of the old activity registers, ADR 0026); the audit event names the actor.
    """
    access = access_for(actor)
    if not access.write_org_ids:
        raise PermissionDenied
    if path is not None:
        if person is not None and path.person_id != person.pk:
            raise ValidationError({"path": _("The path is not this person's.")})
        person = path.person
        organisation_id = path.organisation_id
        _require_write(actor, organisation_id)
    elif person is not None:
        _person_changeable(actor, person)
        organisation_id = min(treating_org_ids(person, access.write_org_ids) or access.write_org_ids)
    else:
        organisation_id = (
            access.primary_org_id if access.primary_org_id in access.write_org_ids else min(access.write_org_ids)
        )
    if performed_on is None or performed_on > _today():
        raise ValidationError({"performed_on": _("The date cannot be in the future.")})
    if operator is None or operator == actor:
        operator = actor
    elif organisation_id not in access.org_ids({Role.COORDINATOR}):
        raise PermissionDenied
    elif not operator.is_active or organisation_id not in access_for(operator).write_org_ids:
        raise ValidationError({"operator": _("The operator must work in the organisation of the activity.")})
    profession = profession or profession_of(operator)
    activity = Activity(
        organisation_id=organisation_id,
        operator=operator,
        profession=profession,
        programme_code=(programme_code or "TR106").strip().upper(),
        performed_on=performed_on,
        minutes=minutes,
        kind=kind,
        person=person,
        path=path,
        note=(note or "").strip(),
    )
    activity.full_clean(exclude=["organisation", "operator", "person", "path"])
    with transaction.atomic():
        if person is None and not accept_over_ceiling:
            year = performed_on.year
            status = ceiling_status(
                organisation_ids=[organisation_id],
                programme_code=activity.programme_code,
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
            )
            if status.would_cross_with_one_more:
                raise ValidationError(
                    _(
                        "With this activity, activities not attributable to a single patient would be %(share)s%% "
                        "of %(year)s, above the %(ceiling)s%% ceiling."
                    )
                    % {"share": status.share_with_one_more, "year": year, "ceiling": status.ceiling_percent},
                    code=OVER_CEILING,
                )
        activity.save()
        audit_log(
            actor=actor,
            action=Action.ACTIVITY_SAVE,
            obj=activity,
            person=person,
            detail={"kind": kind, "attributable": person is not None},
        )
    return activity


# ---------------------------------------------------------------------------------------------- groups


def _check_conductor(user, organisation_id: int, field: str) -> None:
    if user is None or not user.is_active or organisation_id not in access_for(user).write_org_ids:
        raise ValidationError({field: _("The conductor must be an operator of that organisation.")})


def group_create(
    *,
    actor,
    year: int,
    title: str,
    topic: str,
    target: str,
    partner_organisation: Organisation,
    conductor,
    co_conductor,
    place: str,
    capacity: int,
    organisation: Organisation | None = None,
) -> TrainingGroup:
    """Plan a group of the year's catalogue, conducted by the actor's organisation with a Polo Lavoro's."""
    access = access_for(actor)
    organisation_id = organisation.pk if organisation else access.primary_org_id
    _require_write(actor, organisation_id)
    if partner_organisation.pk == organisation_id:
        raise ValidationError({"partner_organisation": _("The two conductors come from two organisations.")})
    _check_conductor(conductor, organisation_id, "conductor")
    _check_conductor(co_conductor, partner_organisation.pk, "co_conductor")
    group = TrainingGroup(
        year=year,
        title=(title or "").strip(),
        topic=(topic or "").strip(),
        target=(target or "").strip(),
        organisation_id=organisation_id,
        partner_organisation=partner_organisation,
        conductor=conductor,
        co_conductor=co_conductor,
        place=(place or "").strip(),
        capacity=capacity,
    )
    group.full_clean(exclude=["organisation", "partner_organisation", "conductor", "co_conductor"])
    with transaction.atomic():
        group.save()
        audit_log(actor=actor, action=Action.GROUP_SAVE, obj=group, detail={"created": True})
    return group


def _require_group_change(actor, group: TrainingGroup) -> None:
    if not TrainingGroup.objects.restrict(actor, "change").filter(pk=group.pk).exists():
        raise PermissionDenied


def group_set_status(*, actor, group: TrainingGroup, status: str) -> TrainingGroup:
    """Open the group for enrolment, start or close it."""
    _require_group_change(actor, group)
    if status not in GroupStatus.values:
        raise ValidationError({"status": _("Choose the status.")})
    with transaction.atomic():
        group.status = status
        group.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action=Action.GROUP_SAVE, obj=group, detail={"status": status})
    return group


def session_add(
    *, actor, group: TrainingGroup, starts_at: datetime.datetime, ends_at: datetime.datetime, subject: str = ""
) -> GroupSession:
    """Add a session to a group's calendar."""
    _require_group_change(actor, group)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session ends after it starts.")})
    if starts_at.year != group.year:
        raise ValidationError({"starts_at": _("The session falls in the group's year.")})
    with transaction.atomic():
        session = GroupSession.objects.create(
            group=group, starts_at=starts_at, ends_at=ends_at, subject=(subject or "").strip()
        )
        audit_log(actor=actor, action=Action.GROUP_SAVE, obj=group, detail={"session": session.pk})
    return session


# The fields of a planned group that can be changed (not its year, which its sessions fall in, nor the partner
# organisation, which reads the enrolments).
GROUP_FIELDS = ("title", "topic", "target", "place", "capacity", "conductor", "co_conductor")


def group_update(*, actor, group: TrainingGroup, **changes) -> TrainingGroup:
    """Change a group's details: title, topic, target group, place, capacity, the two conductors."""
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields {sorted(unknown)}")
    _require_group_change(actor, group)
    with transaction.atomic():
        current = TrainingGroup.objects.select_for_update().get(pk=group.pk)
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            value = changes[name]
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        if "conductor" in changed:
            _check_conductor(current.conductor, current.organisation_id, "conductor")
        if "co_conductor" in changed:
            _check_conductor(current.co_conductor, current.partner_organisation_id, "co_conductor")
        if current.conductor_id == current.co_conductor_id:
            raise ValidationError({"co_conductor": _("The two conductors are two different persons.")})
        taken = current.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
        if "capacity" in changed and current.capacity is not None and current.capacity < taken:
            raise ValidationError(
                {"capacity": _("%(taken)s persons are enrolled: the capacity cannot be lower.") % {"taken": taken}}
            )
        current.full_clean(exclude=["organisation", "partner_organisation", "conductor", "co_conductor"])
        current.save()
        audit_log(actor=actor, action=Action.GROUP_SAVE, obj=current, detail={"fields": sorted(changed)})
    return current


def session_update(
    *, actor, session: GroupSession, starts_at: datetime.datetime, ends_at: datetime.datetime, subject: str = ""
) -> GroupSession:
    """Move a session or change its subject."""
    group = session.group
    _require_group_change(actor, group)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session ends after it starts.")})
    if starts_at.year != group.year:
        raise ValidationError({"starts_at": _("The session falls in the group's year.")})
    with transaction.atomic():
        session.starts_at, session.ends_at, session.subject = starts_at, ends_at, (subject or "").strip()
        session.save()
        audit_log(actor=actor, action=Action.GROUP_SAVE, obj=group, detail={"session": session.pk, "changed": True})
    return session


def _conducting_consent_missing(person: Person, group: TrainingGroup, referring_org_id: int) -> list[Organisation]:
    """The conducting organisations other than the referring one that lack the person's sharing consent."""
    needed = {group.organisation_id, group.partner_organisation_id} - {referring_org_id}
    given = set(
        Consent.objects.active()
        .filter(person=person, purpose=ConsentPurpose.SHARING, organisation_id__in=needed)
        .values_list("organisation_id", flat=True)
    )
    return list(Organisation.objects.filter(pk__in=needed - given))


def enrol(*, actor, group: TrainingGroup, person: Person, referring_unit: Unit) -> Enrolment:
    """The referring Polo Lavoro enrols a person; past capacity the person goes on the waiting list."""
    if referring_unit.pk not in access_for(actor).unit_ids(PERSON_WRITE_ROLES):
        raise ValidationError({"referring_unit": _("You may enrol only from your own team.")})
    if referring_unit.kind != UnitKind.POLO_LAVORO:
        raise ValidationError({"referring_unit": _("Enrolment is by the referring Polo Lavoro.")})
    _person_changeable(actor, person)
    missing = _conducting_consent_missing(person, group, referring_unit.organisation_id)
    if missing:
        raise ValidationError(
            {
                "person": _("The person has not consented to share their record with %(orgs)s.")
                % {"orgs": ", ".join(str(org) for org in missing)}
            }
        )
    with transaction.atomic():
        group = TrainingGroup.objects.select_for_update().get(pk=group.pk)
        if group.status not in (GroupStatus.PLANNED, GroupStatus.OPEN, GroupStatus.RUNNING):
            raise ValidationError(_("The group is closed."))
        taken = group.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
        status = EnrolmentStatus.ENROLLED if taken < group.capacity else EnrolmentStatus.WAITING
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    group=group,
                    person=person,
                    referring_unit=referring_unit,
                    referring_organisation_id=referring_unit.organisation_id,
                    enrolled_by=actor,
                    status=status,
                )
        except IntegrityError as exc:
            raise ValidationError({"person": _("The person is already enrolled or waiting.")}) from exc
        audit_log(actor=actor, action=Action.GROUP_SAVE, obj=enrolment, person=person, detail={"status": status})
    return enrolment


def enrolment_withdraw(*, actor, enrolment: Enrolment) -> Enrolment | None:
    """Withdraw a participant; the first on the waiting list takes the place, and is returned."""
    if not Enrolment.objects.restrict(actor, "change").filter(pk=enrolment.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        TrainingGroup.objects.select_for_update().get(pk=enrolment.group_id)
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            raise ValidationError(_("Already withdrawn."))
        freed = enrolment.status == EnrolmentStatus.ENROLLED
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=actor, action=Action.GROUP_SAVE, obj=enrolment, person=enrolment.person, detail={"withdrawn": True}
        )
        promoted = None
        if freed:
            promoted = (
                Enrolment.objects.filter(group_id=enrolment.group_id, status=EnrolmentStatus.WAITING)
                .order_by("created_at", "pk")
                .first()
            )
            if promoted is not None:
                promoted.status = EnrolmentStatus.ENROLLED
                promoted.save(update_fields=["status", "updated_at"])
                audit_log(
                    actor=actor,
                    action=Action.GROUP_SAVE,
                    obj=promoted,
                    person=promoted.person,
                    detail={"from_waiting_list": True},
                )
    return promoted


def register_record(*, actor, session: GroupSession, present: set[int]) -> int:
    """The session register: who of the enrolled participants was present (enrolment ids). Returns how many."""
    _require_group_change(actor, session.group)
    enrolled = list(session.group.enrolments.filter(status=EnrolmentStatus.ENROLLED))
    with transaction.atomic():
        for enrolment in enrolled:
            SessionAttendance.objects.update_or_create(
                session=session, enrolment=enrolment, defaults={"present": enrolment.pk in present}
            )
        audit_log(
            actor=actor,
            action=Action.GROUP_SAVE,
            obj=session.group,
            detail={"register": session.pk, "present": len(present & {e.pk for e in enrolled})},
        )
    return len(enrolled)


def evaluation_record(
    *, actor, enrolment: Enrolment, score_before: int | None, score_after: int | None, conductors_note: str = ""
) -> Enrolment:
    """The evaluation before and after and the conductors' notes on one participant."""
    _require_group_change(actor, enrolment.group)
    enrolment.score_before = score_before
    enrolment.score_after = score_after
    enrolment.conductors_note = (conductors_note or "").strip()
    enrolment.full_clean(exclude=["group", "person", "referring_unit", "referring_organisation", "enrolled_by"])
    with transaction.atomic():
        enrolment.save()
        audit_log(
            actor=actor, action=Action.GROUP_SAVE, obj=enrolment, person=enrolment.person, detail={"evaluation": True}
        )
    return enrolment
