"""Who may see and do what with joint evaluations and individual plans. Views and templates ask these.

See docs/adr/0010-plans-access-and-versions.md. In short:
- a plan is seen by users who see the person and belong to the plan's organisation, to an organisation treating
  the person, or to an organisation responsible for one of its actions (PlanQuerySet);
- a draft is written, and approved, by the writing roles of an organisation that may change the person's record
  (it registered them or holds an open case); review outcomes are recorded by them on the version in force;
- an evaluation is seen by the convening organisation, the participants' organisations and the treating ones,
  changed by the convening organisation's writing roles while open, and signed by each participant themselves.
"""

from accounts.access import access_for
from people.models import Person
from people.permissions import can_change_person, can_view_person, treating_org_ids, treats
from plans.models import Evaluation, Plan


def can_view_plans_of(user, person: Person) -> bool:
    """The person's plan page: the treating team (responsible organisations reach a plan by its own URL)."""
    access = access_for(user)
    if not access.person_org_ids:
        return False
    return bool(treating_org_ids(person, access.person_org_ids)) and can_view_person(user, person)


def can_view_plans_on_record(user, person: Person, cases) -> bool:
    """can_view_plans_of for the record page, which already loaded the person's cases: no query."""
    return treats(user, person, cases)


def can_view_plan(user, plan: Plan) -> bool:
    return Plan.objects.restrict(user, "view").filter(pk=plan.pk).exists()


def can_start_plan(user, person: Person) -> bool:
    """A writing role of an organisation that may change the person's record."""
    return can_change_person(user, person)


def plan_org_id(user, person: Person) -> int | None:
    """The organisation a new plan (or evaluation) of the user belongs to: their first writing organisation
    that treats the person."""
    access = access_for(user)
    treating = treating_org_ids(person, access.write_org_ids)
    for org, _unit, _role in access.memberships:
        if org in treating:
            return org
    return None


def can_edit_plan(user, plan: Plan) -> bool:
    """A draft, by a user who may change the person's record."""
    return plan.is_draft and Plan.objects.restrict(user, "change").filter(pk=plan.pk).exists()


def can_approve_plan(user, plan: Plan) -> bool:
    return can_edit_plan(user, plan)


def can_review_plan(user, plan: Plan) -> bool:
    """Recording review outcomes on the version in force."""
    from plans.choices import PlanStatus

    return plan.status == PlanStatus.ACTIVE and Plan.objects.restrict(user, "change").filter(pk=plan.pk).exists()


def can_change_evaluation(user, evaluation: Evaluation) -> bool:
    """While open, by the convening organisation's writing roles."""
    if evaluation.is_complete:
        return False
    return Evaluation.objects.restrict(user, "change").filter(pk=evaluation.pk).exists()


def can_sign_evaluation(user, evaluation: Evaluation) -> bool:
    """A participant who has not signed yet, while the evaluation is open and has a conclusion."""
    if evaluation.is_complete or not evaluation.conclusion.strip():
        return False
    return evaluation.participants.filter(user=user, signed_at__isnull=True).exists()


def can_propose_plan(user, evaluation: Evaluation) -> bool:
    """A complete evaluation produces the plan proposal, by a user who may start a plan for the person."""
    return evaluation.is_complete and can_start_plan(user, evaluation.person)
