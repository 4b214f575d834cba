"""Plan versioning and immutability, the stale save, the budget, and the sign-off rules of joint evaluations."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from audit.choices import Action
from audit.models import AuditEvent
from core.exceptions import StaleObjectError
from core.testing.cast import make_case, make_consent
from plans import selectors, services
from plans.choices import EvaluationStatus, PlanStatus
from plans.models import Goal, Plan
from plans.snapshots import diff

pytestmark = pytest.mark.django_db


def _approve(actor, plan):
    plan.refresh_from_db()
    return services.plan_approve(actor=actor, plan=plan, version=plan.version)


# ---------------------------------------------------------------------------------------------- versions


def test_approval_puts_the_draft_in_force_and_audits(cast, draft):
    plan = _approve(cast.operator_a, draft)
    assert plan.status == PlanStatus.ACTIVE
    assert plan.approved_by == cast.operator_a
    assert AuditEvent.objects.filter(action=Action.PLAN_APPROVE, object_id=str(plan.pk)).count() == 1


def test_an_approved_version_cannot_be_changed(cast, draft):
    plan = _approve(cast.operator_a, draft)
    goal = plan.goals.get()
    with pytest.raises(PermissionDenied):
        services.goal_save(actor=cast.operator_a, plan=plan, version=plan.version, goal=goal, area="work", title="X")
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=cast.operator_a, plan=plan, version=plan.version)
    goal.refresh_from_db()
    assert goal.title == "Vivere da sola"


def test_a_change_makes_a_new_version_with_its_differences(cast, draft):
    first = _approve(cast.operator_a, draft)
    second = services.plan_create(actor=cast.operator_a, person=first.person)
    assert (second.number, second.previous, second.status) == (2, first, PlanStatus.DRAFT)
    goal = second.goals.get()
    assert goal.key == first.goals.get().key
    services.goal_save(
        actor=cast.operator_a, plan=second, version=second.version, goal=goal, area="housing", title="Casa propria"
    )
    second.refresh_from_db()
    services.goal_save(actor=cast.operator_a, plan=second, version=second.version, area="work", title="Tirocinio")
    with pytest.raises(ValidationError) as error:
        _approve(cast.operator_a, second)
    # The person agrees to each version anew, and the new goal has no action yet.
    assert any("Tirocinio" in message for message in error.value.messages)
    assert len(error.value.messages) == 2
    first.refresh_from_db()
    assert first.status == PlanStatus.ACTIVE


def _agree(cast, plan):
    plan.refresh_from_db()
    services.plan_update(
        actor=cast.operator_a,
        plan=plan,
        version=plan.version,
        title=plan.title,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        person_agreed=True,
        agreed_on=datetime.date(2025, 9, 1),
    )


def test_new_version_approval_supersedes_and_diff_names_changes(cast, draft):
    first = _approve(cast.operator_a, draft)
    second = services.plan_create(actor=cast.operator_a, person=first.person)
    _agree(cast, second)
    second.refresh_from_db()
    goal = second.goals.get()
    services.goal_save(
        actor=cast.operator_a, plan=second, version=second.version, goal=goal, area="housing", title="Casa propria"
    )
    second.refresh_from_db()
    resource = goal.resources.get(description="Affitto")
    services.resource_save(
        actor=cast.operator_a,
        plan=second,
        version=second.version,
        goal=goal,
        resource=resource,
        description="Affitto",
        funding_source="person",
        cost=Decimal("900.00"),
    )
    second = _approve(cast.operator_a, second)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    assert second.status == PlanStatus.ACTIVE
    # The first version is untouched.
    assert first.goals.get().title == "Vivere da sola"
    assert first.goals.get().resources.get(description="Affitto").cost == Decimal("1800.50")
    with translation.override("en"):
        changes = {
            (c.kind, c.before, c.after) for c in diff(selectors.final_snapshot(first), selectors.final_snapshot(second))
        }
    assert ("changed", "Vivere da sola", "Casa propria") in changes
    assert ("changed", "1800.50", "900.00") in changes
    assert ("changed", "Comune", "The person or family") in changes


def test_approval_needs_goals_with_actions_agreement_and_a_review(cast, person_a):
    plan = services.plan_create(actor=cast.operator_a, person=person_a)
    with pytest.raises(ValidationError) as error:
        services.plan_approve(actor=cast.operator_a, plan=plan, version=plan.version)
    assert len(error.value.messages) >= 3
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_one_draft_at_a_time(cast, draft):
    with pytest.raises(ValidationError):
        services.plan_create(actor=cast.operator_a, person=draft.person)


def test_the_database_refuses_two_active_plans(cast, draft):
    first = _approve(cast.operator_a, draft)
    other = Plan(
        person=first.person,
        organisation=cast.org_a,
        number=9,
        status=PlanStatus.ACTIVE,
        title="x",
        person_agreed=True,
        approved_at=first.approved_at,
        created_by=cast.operator_a,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_the_database_refuses_an_approved_plan_without_agreement(cast, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=draft.pk).update(status=PlanStatus.ACTIVE, person_agreed=False)


# ---------------------------------------------------------------------------------------------- the stale save


def test_a_stale_save_is_refused_with_what_changed_and_writes_nothing(cast, draft):
    read_at = draft.version
    goal = draft.goals.get()
    # The coordinator renames the goal meanwhile.
    services.goal_save(
        actor=cast.coordinator_a, plan=draft, version=read_at, goal=goal, area="housing", title="Casa e quartiere"
    )
    with pytest.raises(StaleObjectError) as error:
        services.goal_save(actor=cast.operator_a, plan=draft, version=read_at, area="work", title="Tirocinio")
    changes = error.value.changes
    assert [(c.kind, c.before, c.after) for c in changes] == [("changed", "Vivere da sola", "Casa e quartiere")]
    assert not Goal.objects.filter(plan=draft, title="Tirocinio").exists()
    draft.refresh_from_db()
    assert draft.version == read_at + 1


# ---------------------------------------------------------------------------------------------- budget


def test_budget_totals_per_goal_area_and_plan(cast, draft):
    services.goal_save(actor=cast.operator_a, plan=draft, version=draft.version, area="work", title="Tirocinio")
    draft.refresh_from_db()
    work = draft.goals.get(area="work")
    services.resource_save(
        actor=cast.operator_a,
        plan=draft,
        version=draft.version,
        goal=work,
        description="Borsa lavoro",
        funding_source="other",
        cost=Decimal("1000"),
    )
    budget = selectors.budget(selectors.with_content(draft))
    areas = {row.area: row for row, _rows in budget.areas}
    assert areas["housing"].total == Decimal("5000.50")
    assert areas["housing"].by_source["asst"] == Decimal("3200.00")
    assert areas["work"].by_source["other"] == Decimal("1000")
    assert budget.total.total == Decimal("6000.50")
    assert budget.total.by_source["comune"] == Decimal("1800.50")


def test_reviews_record_an_outcome_for_every_goal_once(cast, draft):
    plan = _approve(cast.operator_a, draft)
    review = plan.reviews.get()
    goal = plan.goals.get()
    with pytest.raises(ValidationError):
        services.review_record(
            actor=cast.operator_a, plan=plan, review=review, held_on=datetime.date(2025, 3, 1), outcomes={}
        )
    services.review_record(
        actor=cast.operator_a,
        plan=plan,
        review=review,
        held_on=datetime.date(2025, 3, 1),
        outcomes={goal.pk: ("partly", "casa trovata, arredo no")},
    )
    assert goal.outcomes.get().outcome == "partly"
    with pytest.raises(ValidationError):
        services.review_record(
            actor=cast.operator_a,
            plan=plan,
            review=review,
            held_on=datetime.date(2025, 3, 2),
            outcomes={goal.pk: ("achieved", "")},
        )
    assert goal.outcomes.get().outcome == "partly"


# ---------------------------------------------------------------------------------------------- sign-off rules


@pytest.fixture
def evaluation(cast, person_a):
    """An evaluation convened by Sacco's operator with a Niguarda operator taking part (consent to share)."""
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    evaluation = services.evaluation_create(
        actor=cast.operator_a, person=person_a, held_on=datetime.date(2025, 3, 10), role="Case manager"
    )
    membership = cast.operator_b.memberships.get()
    services.participant_add(
        actor=cast.operator_a, evaluation=evaluation, version=evaluation.version, membership=membership, role="TeRP"
    )
    evaluation.refresh_from_db()
    return evaluation


def _conclude(cast, evaluation, text="Casa e lavoro insieme."):
    evaluation.refresh_from_db()
    return services.evaluation_update(
        actor=cast.operator_a,
        evaluation=evaluation,
        version=evaluation.version,
        held_on=evaluation.held_on,
        place="CPS",
        conclusion=text,
        proposals={"housing": "Vivere da sola\nImparare a cucinare", "work": "Tirocinio in cooperativa"},
    )


def test_no_signing_before_a_conclusion(cast, evaluation):
    with pytest.raises(ValidationError):
        services.evaluation_sign(actor=cast.operator_a, evaluation=evaluation, version=evaluation.version)


def test_a_single_organisation_cannot_sign_a_joint_evaluation(cast, person_a):
    evaluation = services.evaluation_create(
        actor=cast.operator_a, person=person_a, held_on=datetime.date(2025, 3, 10), role="Case manager"
    )
    evaluation = _conclude(cast, evaluation)
    with pytest.raises(ValidationError):
        services.evaluation_sign(actor=cast.operator_a, evaluation=evaluation, version=evaluation.version)


def test_only_participants_sign_and_complete_when_all_have(cast, evaluation):
    evaluation = _conclude(cast, evaluation)
    with pytest.raises(PermissionDenied):
        services.evaluation_sign(actor=cast.coordinator_a, evaluation=evaluation, version=evaluation.version)
    evaluation = services.evaluation_sign(actor=cast.operator_a, evaluation=evaluation, version=evaluation.version)
    assert evaluation.status == EvaluationStatus.OPEN
    with pytest.raises(ValidationError):
        services.evaluation_sign(actor=cast.operator_a, evaluation=evaluation, version=evaluation.version)
    evaluation = services.evaluation_sign(actor=cast.operator_b, evaluation=evaluation, version=evaluation.version)
    assert evaluation.status == EvaluationStatus.COMPLETE
    assert evaluation.completed_at is not None
    assert AuditEvent.objects.filter(action=Action.EVALUATION_SIGN, object_id=str(evaluation.pk)).count() == 2
    with pytest.raises(PermissionDenied):
        _conclude(cast, evaluation, "altro")


def test_a_change_clears_the_signatures(cast, evaluation):
    evaluation = _conclude(cast, evaluation)
    services.evaluation_sign(actor=cast.operator_a, evaluation=evaluation, version=evaluation.version)
    evaluation = _conclude(cast, evaluation, "Conclusione riveduta.")
    assert not evaluation.participants.filter(signed_at__isnull=False).exists()


def test_signing_a_stale_copy_is_refused(cast, evaluation):
    evaluation = _conclude(cast, evaluation)
    read_at = evaluation.version
    _conclude(cast, evaluation, "Conclusione riveduta.")
    with pytest.raises(StaleObjectError):
        services.evaluation_sign(actor=cast.operator_b, evaluation=evaluation, version=read_at)
    assert not evaluation.participants.filter(signed_at__isnull=False).exists()


def test_a_participant_must_see_the_person(cast, person_a):
    evaluation = services.evaluation_create(
        actor=cast.operator_a, person=person_a, held_on=datetime.date(2025, 3, 10), role="Case manager"
    )
    with pytest.raises(ValidationError):
        services.participant_add(
            actor=cast.operator_a,
            evaluation=evaluation,
            version=evaluation.version,
            membership=cast.operator_b.memberships.get(),
            role="TeRP",
        )


def test_a_complete_evaluation_proposes_a_prefilled_draft(cast, evaluation):
    evaluation = _conclude(cast, evaluation)
    with pytest.raises(ValidationError):
        services.plan_propose(actor=cast.operator_a, evaluation=evaluation)
    for user in (cast.operator_a, cast.operator_b):
        evaluation = services.evaluation_sign(actor=user, evaluation=evaluation, version=evaluation.version)
    plan = services.plan_propose(actor=cast.operator_a, evaluation=evaluation)
    assert plan.evaluation == evaluation and plan.is_draft
    assert sorted(plan.goals.values_list("area", "title")) == [
        ("housing", "Imparare a cucinare"),
        ("housing", "Vivere da sola"),
        ("work", "Tirocinio in cooperativa"),
    ]


def test_a_treating_organisation_of_the_other_asst_can_write_the_plan_too(cast, person_a):
    make_case(person=person_a, unit=cast.unit_b)
    plan = services.plan_create(actor=cast.operator_b, person=person_a)
    assert plan.organisation == cast.org_b
