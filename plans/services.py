"""Writes to joint evaluations and individual plans. Each checks its rule, validates, and writes its audit event
in the same transaction. Plan drafts and evaluations use optimistic locking: a write based on an old `version`
raises StaleObjectError carrying what changed meanwhile (`error.changes`, a list of snapshots.Change).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import PERSON_ROLES
from accounts.models import Membership, Organisation
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError
from people.models import Person
from people.permissions import can_view_person
from plans import snapshots
from plans.choices import EvaluationStatus, GoalArea, Outcome, PlanStatus
from plans.models import Evaluation, Goal, GoalOutcome, Participant, Plan, PlanAction, PlanRevision, Resource, Review
from plans.permissions import (
    can_change_evaluation,
    can_edit_plan,
    can_review_plan,
    can_start_plan,
    plan_org_id,
)

# ---------------------------------------------------------------------------------------------- plan: helpers


def _stale(current, changes: list[snapshots.Change]) -> StaleObjectError:
    changed: dict[str, tuple[object, object]] = {}
    for n, change in enumerate(changes):
        changed[f"{n}:{change.what}"] = (change.before, change.after)
    error = StaleObjectError(current, changed)
    error.changes = changes
    return error


def _revision(plan: Plan, version: int) -> dict:
    row = PlanRevision.objects.filter(plan=plan, version=version).values_list("snapshot", flat=True).first()
    return row or {}


def _lock_draft(actor, plan: Plan, version: int) -> Plan:
    """The draft, locked for this transaction; refuses a user who may not edit it and a stale `version`."""
    if not can_edit_plan(actor, plan):
        raise PermissionDenied
    current = Plan.objects.select_for_update().select_related("person").get(pk=plan.pk)
    if current.version != version:
        raise _stale(current, snapshots.diff(_revision(current, version), snapshots.snapshot(current)))
    if not current.is_draft:
        raise ValidationError(_("This version of the plan is approved and can no longer be changed."))
    return current


def _saved(actor, plan: Plan, what: str, **detail) -> Plan:
    """Close an edit: next version, its revision, the audit event."""
    plan.version += 1
    plan.save()
    PlanRevision.objects.create(plan=plan, version=plan.version, snapshot=snapshots.snapshot(plan), saved_by=actor)
    audit_log(
        actor=actor,
        action=Action.PLAN_SAVE,
        obj=plan,
        person=plan.person,
        detail={"what": what, "version": plan.version, **detail},
    )
    return plan


def _copy_content(source: Plan, target: Plan) -> None:
    """Goals, actions, resources and the review dates not yet held, keeping their keys."""
    for goal in source.goals.prefetch_related("actions", "resources").order_by("pk"):
        copy = Goal.objects.create(
            plan=target, key=goal.key, area=goal.area, title=goal.title, description=goal.description, term=goal.term
        )
        PlanAction.objects.bulk_create(
            PlanAction(
                goal=copy,
                key=a.key,
                description=a.description,
                organisation_id=a.organisation_id,
                operator_name=a.operator_name,
                starts_on=a.starts_on,
                due_on=a.due_on,
            )
            for a in goal.actions.all()
        )
        Resource.objects.bulk_create(
            Resource(goal=copy, key=r.key, description=r.description, funding_source=r.funding_source, cost=r.cost)
            for r in goal.resources.all()
        )
    Review.objects.bulk_create(
        Review(plan=target, key=r.key, planned_on=r.planned_on) for r in source.reviews.filter(held_on__isnull=True)
    )


# ---------------------------------------------------------------------------------------------- plan: create


def plan_create(
    *,
    actor,
    person: Person,
    title: str = "",
    evaluation: Evaluation | None = None,
    goals: list[tuple[str, str]] = (),
) -> Plan:
    """Open the person's draft plan: a copy of the version in force if there is one (a new version), else
    version 1. `goals` (area, title) are added to it, e.g. the proposals of a joint evaluation.
    """
    if not can_start_plan(actor, person):
        raise PermissionDenied
    org_id = plan_org_id(actor, person)
    if org_id is None:
        raise PermissionDenied
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one new plan per person at a time
        if Plan.objects.filter(person=person, status=PlanStatus.DRAFT).exists():
            raise ValidationError(_("This person already has a draft plan: continue that one."))
        active = Plan.objects.filter(person=person, status=PlanStatus.ACTIVE).first()
        number = (Plan.objects.filter(person=person).aggregate(n=Max("number"))["n"] or 0) + 1
        plan = Plan(
            person=person,
            organisation_id=org_id,
            number=number,
            previous=active,
            evaluation=evaluation,
            title=title or (active.title if active else _("Individual plan")),
            starts_on=active.starts_on if active else None,
            ends_on=active.ends_on if active else None,
            created_by=actor,
        )
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError as error:
            raise ValidationError(_("This person already has a draft plan: continue that one.")) from error
        if active is not None:
            _copy_content(active, plan)
        for area, goal_title in goals:
            Goal.objects.create(plan=plan, area=area, title=goal_title[:300])
        PlanRevision.objects.create(plan=plan, version=plan.version, snapshot=snapshots.snapshot(plan), saved_by=actor)
        audit_log(
            actor=actor,
            action=Action.PLAN_SAVE,
            obj=plan,
            person=person,
            detail={
                "what": "created",
                "number": number,
                "from_version": active.number if active else None,
                "evaluation": evaluation.pk if evaluation else None,
            },
        )
    return plan


# ---------------------------------------------------------------------------------------------- plan: edit a draft


def plan_update(
    *,
    actor,
    plan: Plan,
    version: int,
    title: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    person_agreed: bool,
    agreed_on: datetime.date | None,
    agreement_note: str = "",
) -> Plan:
    """The draft's header and the person's agreement."""
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the plan a title.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The plan cannot end before it starts.")
    if person_agreed and agreed_on is None:
        errors["agreed_on"] = _("Record the date the person agreed.")
    if agreed_on and agreed_on > timezone.localdate():
        errors["agreed_on"] = _("The agreement cannot be dated in the future.")
    if not person_agreed and agreed_on is not None:
        errors["person_agreed"] = _("A date of agreement needs the person's agreement ticked.")
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        if errors:
            raise ValidationError(errors)
        values = {
            "title": title.strip(),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "person_agreed": person_agreed,
            "agreed_on": agreed_on,
            "agreement_note": agreement_note.strip(),
        }
        changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
        for name, value in values.items():
            setattr(current, name, value)
        return _saved(actor, current, "header", fields=changed)


def _goal_of(plan: Plan, goal_id) -> Goal:
    try:
        return Goal.objects.get(plan=plan, pk=goal_id)
    except (Goal.DoesNotExist, ValueError, TypeError) as error:
        raise ValidationError(_("This goal is not part of the plan any more.")) from error


def goal_save(
    *,
    actor,
    plan: Plan,
    version: int,
    goal: Goal | None = None,
    area: str,
    title: str,
    description: str = "",
    term=None,
) -> Goal:
    """Add a goal to the draft, or change one."""
    errors = {}
    if area not in GoalArea.values:
        errors["area"] = _("Choose an area.")
    if not title.strip():
        errors["title"] = _("Write the goal.")
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        if errors:
            raise ValidationError(errors)
        target = _goal_of(current, goal.pk) if goal is not None else Goal(plan=current)
        target.area, target.title, target.description, target.term = area, title.strip(), description.strip(), term
        target.save()
        _saved(actor, current, "goal", goal=target.pk, added=goal is None)
    return target


def goal_delete(*, actor, plan: Plan, version: int, goal: Goal) -> None:
    """Remove a goal (with its actions and resources) from the draft."""
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        target = _goal_of(current, goal.pk)
        target.delete()
        _saved(actor, current, "goal", goal=goal.pk, removed=True)


def action_save(
    *,
    actor,
    plan: Plan,
    version: int,
    goal: Goal,
    action: PlanAction | None = None,
    description: str,
    organisation: Organisation,
    operator_name: str = "",
    starts_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
) -> PlanAction:
    """Add an action to a goal of the draft, or change one."""
    errors = {}
    if not description.strip():
        errors["description"] = _("Describe the action.")
    if organisation is None:
        errors["organisation"] = _("Choose the responsible organisation.")
    if starts_on and due_on and due_on < starts_on:
        errors["due_on"] = _("The action cannot be due before it starts.")
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        owner = _goal_of(current, goal.pk)
        if errors:
            raise ValidationError(errors)
        if action is not None:
            target = PlanAction.objects.filter(goal__plan=current, pk=action.pk).first()
            if target is None:
                raise ValidationError(_("This action is not part of the plan any more."))
        else:
            target = PlanAction(goal=owner)
        target.goal = owner
        target.description, target.organisation = description.strip(), organisation
        target.operator_name, target.starts_on, target.due_on = operator_name.strip(), starts_on, due_on
        target.save()
        _saved(actor, current, "action", action=target.pk, added=action is None)
    return target


def action_delete(*, actor, plan: Plan, version: int, action: PlanAction) -> None:
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        deleted, _rows = PlanAction.objects.filter(goal__plan=current, pk=action.pk).delete()
        if not deleted:
            raise ValidationError(_("This action is not part of the plan any more."))
        _saved(actor, current, "action", action=action.pk, removed=True)


def resource_save(
    *,
    actor,
    plan: Plan,
    version: int,
    goal: Goal,
    resource: Resource | None = None,
    description: str,
    funding_source: str,
    cost,
) -> Resource:
    """Add a costed resource to a goal of the draft, or change one."""
    from plans.choices import FundingSource

    errors = {}
    if not description.strip():
        errors["description"] = _("Describe the resource.")
    if funding_source not in FundingSource.values:
        errors["funding_source"] = _("Choose who funds it.")
    if cost is None or cost < 0:
        errors["cost"] = _("The cost is zero or more euros.")
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        owner = _goal_of(current, goal.pk)
        if errors:
            raise ValidationError(errors)
        if resource is not None:
            target = Resource.objects.filter(goal__plan=current, pk=resource.pk).first()
            if target is None:
                raise ValidationError(_("This resource is not part of the plan any more."))
        else:
            target = Resource(goal=owner)
        target.goal = owner
        target.description, target.funding_source, target.cost = description.strip(), funding_source, cost
        target.save()
        _saved(actor, current, "resource", resource=target.pk, added=resource is None)
    return target


def resource_delete(*, actor, plan: Plan, version: int, resource: Resource) -> None:
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        deleted, _rows = Resource.objects.filter(goal__plan=current, pk=resource.pk).delete()
        if not deleted:
            raise ValidationError(_("This resource is not part of the plan any more."))
        _saved(actor, current, "resource", resource=resource.pk, removed=True)


def review_date_add(*, actor, plan: Plan, version: int, planned_on: datetime.date) -> Review:
    """Add a review date to the draft."""
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        if current.starts_on and planned_on < current.starts_on:
            raise ValidationError({"planned_on": _("A review cannot come before the plan starts.")})
        review = Review.objects.create(plan=current, planned_on=planned_on)
        _saved(actor, current, "review", review=review.pk, added=True)
    return review


def review_date_delete(*, actor, plan: Plan, version: int, review: Review) -> None:
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        deleted, _rows = Review.objects.filter(plan=current, pk=review.pk, held_on__isnull=True).delete()
        if not deleted:
            raise ValidationError(_("This review date is not part of the plan any more."))
        _saved(actor, current, "review", review=review.pk, removed=True)


# ---------------------------------------------------------------------------------------------- plan: approve, review


def approval_problems(plan: Plan) -> list[str]:
    """What keeps the draft from being approved; empty when it can be."""
    problems = []
    goals = list(plan.goals.prefetch_related("actions"))
    if not goals:
        problems.append(_("The plan has no goals."))
    for goal in goals:
        if not goal.actions.all():
            problems.append(_("The goal «%(goal)s» has no actions.") % {"goal": goal.title})
    if not plan.person_agreed:
        problems.append(_("The person's agreement is not recorded."))
    if not plan.reviews.exists():
        problems.append(_("The plan has no review date."))
    if plan.starts_on is None:
        problems.append(_("The plan has no start date."))
    return problems


def plan_approve(*, actor, plan: Plan, version: int) -> Plan:
    """Approve the draft based on `version`: it comes into force, the version it replaces is superseded, and
    from now on it never changes."""
    with transaction.atomic():
        current = _lock_draft(actor, plan, version)
        problems = approval_problems(current)
        if problems:
            raise ValidationError(problems)
        superseded = list(
            Plan.objects.select_for_update()
            .filter(person=current.person, status=PlanStatus.ACTIVE)
            .values_list("number", flat=True)
        )
        Plan.objects.filter(person=current.person, status=PlanStatus.ACTIVE).update(
            status=PlanStatus.SUPERSEDED, updated_at=timezone.now()
        )
        current.status = PlanStatus.ACTIVE
        current.approved_at = timezone.now()
        current.approved_by = actor
        current.version += 1
        current.save()
        PlanRevision.objects.create(
            plan=current, version=current.version, snapshot=snapshots.snapshot(current), saved_by=actor
        )
        audit_log(
            actor=actor,
            action=Action.PLAN_APPROVE,
            obj=current,
            person=current.person,
            detail={"number": current.number, "superseded": superseded, "version": current.version},
        )
    return current


def review_record(
    *,
    actor,
    plan: Plan,
    review: Review,
    held_on: datetime.date,
    outcomes: dict[int, tuple[str, str]],
    note: str = "",
) -> Review:
    """Record a review of the plan in force: the outcome of every goal. A review is recorded once."""
    if not can_review_plan(actor, plan):
        raise PermissionDenied
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("A review cannot be recorded before it is held.")
    with transaction.atomic():
        current = Review.objects.select_for_update().filter(plan=plan, pk=review.pk).first()
        if current is None:
            raise ValidationError(_("This review is not part of the plan."))
        if current.held_on is not None:
            raise ValidationError(_("This review was already recorded; its outcomes do not change."))
        goals = list(plan.goals.order_by("pk"))
        for goal in goals:
            outcome = outcomes.get(goal.pk, ("", ""))[0]
            if outcome not in Outcome.values:
                errors[f"goal_{goal.pk}"] = _("Choose the outcome of this goal.")
        if errors:
            raise ValidationError(errors)
        GoalOutcome.objects.bulk_create(
            GoalOutcome(review=current, goal=goal, outcome=outcomes[goal.pk][0], note=outcomes[goal.pk][1][:500])
            for goal in goals
        )
        current.held_on, current.note, current.recorded_by = held_on, note.strip(), actor
        current.save()
        audit_log(
            actor=actor,
            action=Action.PLAN_SAVE,
            obj=plan,
            person=plan.person,
            detail={"what": "review", "review": current.pk, "outcomes": {g.pk: outcomes[g.pk][0] for g in goals}},
        )
    return current


# ---------------------------------------------------------------------------------------------- evaluation


def _evaluation_content(evaluation: Evaluation) -> dict:
    return {
        "held_on": evaluation.held_on.isoformat(),
        "place": evaluation.place,
        "conclusion": evaluation.conclusion,
        "proposals": evaluation.proposals,
        "assessments": sorted(evaluation.assessments.values_list("pk", flat=True)),
        "participants": sorted(evaluation.participants.values_list("user_id", "role")),
    }


def _lock_evaluation(actor, evaluation: Evaluation, version: int) -> Evaluation:
    if not can_change_evaluation(actor, evaluation):
        raise PermissionDenied
    current = Evaluation.objects.select_for_update().select_related("person").get(pk=evaluation.pk)
    if current.version != version:
        raise StaleObjectError(current, {"evaluation": (version, current.version)})
    if current.is_complete:
        raise ValidationError(_("This evaluation is complete and can no longer be changed."))
    return current


def _evaluation_saved(actor, evaluation: Evaluation, before: dict, what: str) -> Evaluation:
    """Close a change: a change of content clears the signatures given so far (each is on the text they read)."""
    after = _evaluation_content(evaluation)
    changed = sorted(key for key in after if after[key] != before.get(key))
    cleared = []
    if changed:
        cleared = list(evaluation.participants.filter(signed_at__isnull=False).values_list("user_id", flat=True))
        evaluation.participants.update(signed_at=None)
        evaluation.version += 1
        evaluation.save()
    audit_log(
        actor=actor,
        action=Action.EVALUATION_SAVE,
        obj=evaluation,
        person=evaluation.person,
        detail={"what": what, "fields": changed, "signatures_cleared": cleared, "version": evaluation.version},
    )
    return evaluation


def participant_candidates(person: Person):
    """Memberships of professionals who may take part: person-level roles of organisations that see the person
    (they registered them, hold a case, or a sharing consent in force names them)."""
    from cases.models import Case
    from people.choices import ConsentPurpose
    from people.models import Consent, active_consents

    orgs = {person.registered_by_id}
    orgs |= set(Case.objects.filter(person=person).values_list("organisation_id", flat=True))
    orgs |= set(
        Consent.objects.filter(active_consents(), person=person, purpose=ConsentPurpose.SHARING).values_list(
            "organisation_id", flat=True
        )
    )
    return (
        Membership.objects.filter(
            is_active=True, role__in=PERSON_ROLES, unit__organisation_id__in=orgs, unit__organisation__is_active=True
        )
        .select_related("user", "unit__organisation")
        .order_by("unit__organisation__name", "user__last_name", "user__first_name", "pk")
    )


def evaluation_create(*, actor, person: Person, held_on: datetime.date, role: str, place: str = "") -> Evaluation:
    """Convene a joint evaluation of `person`; the actor takes part in `role`."""
    if not can_start_plan(actor, person):
        raise PermissionDenied
    org_id = plan_org_id(actor, person)
    if org_id is None:
        raise PermissionDenied
    if not role.strip():
        raise ValidationError({"role": _("Write your role in the evaluation.")})
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            person=person, organisation_id=org_id, held_on=held_on, place=place.strip(), created_by=actor
        )
        Participant.objects.create(evaluation=evaluation, user=actor, organisation_id=org_id, role=role.strip())
        audit_log(
            actor=actor,
            action=Action.EVALUATION_SAVE,
            obj=evaluation,
            person=person,
            detail={"what": "created", "version": evaluation.version},
        )
    return evaluation


def evaluation_update(
    *,
    actor,
    evaluation: Evaluation,
    version: int,
    held_on: datetime.date,
    place: str,
    conclusion: str,
    proposals: dict[str, str],
    assessments=(),
) -> Evaluation:
    """Change the session, its conclusion, its proposed goals and the assessments it used."""
    from assessments.models import Assessment

    with transaction.atomic():
        current = _lock_evaluation(actor, evaluation, version)
        before = _evaluation_content(current)
        allowed = set(
            Assessment.objects.restrict(actor, "view").filter(person=current.person).values_list("pk", flat=True)
        )
        chosen = [a.pk for a in assessments]
        if set(chosen) - allowed:
            raise ValidationError({"assessments": _("Choose assessments of this person that you can see.")})
        current.held_on, current.place, current.conclusion = held_on, place.strip(), conclusion.strip()
        current.proposals = {
            area: text.strip() for area, text in proposals.items() if area in GoalArea.values and text.strip()
        }
        current.assessments.set(chosen)
        return _evaluation_saved(actor, current, before, "content")


def participant_add(*, actor, evaluation: Evaluation, version: int, membership: Membership, role: str) -> Participant:
    """Add a professional, for the organisation of `membership`; they must see the person's record."""
    with transaction.atomic():
        current = _lock_evaluation(actor, evaluation, version)
        before = _evaluation_content(current)
        if not role.strip():
            raise ValidationError({"role": _("Write the professional's role in the evaluation.")})
        if not participant_candidates(current.person).filter(pk=membership.pk).exists() or not can_view_person(
            membership.user, current.person
        ):
            raise ValidationError(
                {"membership": _("This professional's organisation does not see the person's record.")}
            )
        if current.participants.filter(user=membership.user).exists():
            raise ValidationError({"membership": _("This professional already takes part.")})
        participant = Participant.objects.create(
            evaluation=current, user=membership.user, organisation=membership.unit.organisation, role=role.strip()
        )
        _evaluation_saved(actor, current, before, "participant")
    return participant


def participant_remove(*, actor, evaluation: Evaluation, version: int, participant: Participant) -> None:
    with transaction.atomic():
        current = _lock_evaluation(actor, evaluation, version)
        before = _evaluation_content(current)
        if current.participants.count() <= 1:
            raise ValidationError(_("An evaluation keeps at least one participant."))
        deleted, _rows = current.participants.filter(pk=participant.pk).delete()
        if not deleted:
            raise ValidationError(_("This professional does not take part any more."))
        _evaluation_saved(actor, current, before, "participant")


def signing_problems(evaluation: Evaluation) -> list[str]:
    """What keeps the evaluation from being signed; empty when it can be."""
    problems = []
    if not evaluation.conclusion.strip():
        problems.append(_("The joint conclusion is not written yet."))
    if len({p.organisation_id for p in evaluation.participants.all()}) < 2:
        problems.append(_("A joint evaluation needs professionals of at least two organisations."))
    return problems


def evaluation_sign(*, actor, evaluation: Evaluation, version: int) -> Evaluation:
    """The actor, a participant, signs the content at `version`; the last signature completes the evaluation."""
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().select_related("person").get(pk=evaluation.pk)
        participant = current.participants.filter(user=actor).first()
        if participant is None:
            raise PermissionDenied
        if current.is_complete:
            raise ValidationError(_("This evaluation is complete."))
        if current.version != version:
            raise StaleObjectError(current, {"evaluation": (version, current.version)})
        if participant.signed_at is not None:
            raise ValidationError(_("You already signed this evaluation."))
        problems = signing_problems(current)
        if problems:
            raise ValidationError(problems)
        participant.signed_at = timezone.now()
        participant.save(update_fields=["signed_at"])
        complete = not current.participants.filter(signed_at__isnull=True).exists()
        if complete:
            current.status = EvaluationStatus.COMPLETE
            current.completed_at = timezone.now()
            current.save()
        audit_log(
            actor=actor,
            action=Action.EVALUATION_SIGN,
            obj=current,
            person=current.person,
            detail={"version": current.version, "complete": complete},
        )
    return current


def plan_propose(*, actor, evaluation: Evaluation) -> Plan:
    """The plan proposal of a complete evaluation: a draft prefilled with its proposed goals (one a line)."""
    if not evaluation.is_complete:
        raise ValidationError(_("The evaluation is not complete: all participants must sign it first."))
    goals = []
    for area in GoalArea.values:
        for line in (evaluation.proposals.get(area) or "").splitlines():
            if line.strip(" -•\t"):
                goals.append((area, line.strip(" -•\t")))
    return plan_create(actor=actor, person=evaluation.person, evaluation=evaluation, goals=goals)
