"""Who sees a plan: the treating team, an organisation responsible for an action (within the person's consent),
never aggregate-only roles."""

import pytest

from core.testing.cast import make_consent
from plans import services
from plans.models import Plan
from plans.permissions import can_edit_plan, can_view_plan

pytestmark = pytest.mark.django_db


def test_treating_team_sees_and_edits_the_draft(cast, draft):
    for user in (cast.operator_a, cast.coordinator_a, cast.clinician_a):
        assert can_view_plan(user, draft) and can_edit_plan(user, draft)
    assert can_view_plan(cast.peer_a, draft) and not can_edit_plan(cast.peer_a, draft)


def test_aggregate_and_other_roles_see_nothing(cast, draft):
    for user in (cast.analyst, cast.company_referent, cast.sysadmin, cast.dpo, cast.operator_b):
        assert not Plan.objects.restrict(user, "view").exists()


def test_an_organisation_responsible_for_an_action_sees_the_plan_within_the_consent(cast, draft):
    goal = draft.goals.get()
    services.action_save(
        actor=cast.operator_a,
        plan=draft,
        version=draft.version,
        goal=goal,
        description="Tirocinio",
        organisation=cast.org_b,
    )
    # Being named is not enough: the person's record is not shared with Niguarda.
    assert not can_view_plan(cast.operator_b, draft)
    consent = make_consent(person=draft.person, organisation=cast.org_b, recorded_by=cast.operator_a)
    assert can_view_plan(cast.operator_b, draft)
    assert not can_edit_plan(cast.operator_b, draft)
    consent.withdrawn_on = consent.given_on
    consent.save()
    assert not can_view_plan(cast.operator_b, draft)


def test_a_sharing_consent_alone_does_not_open_the_plan(cast, draft):
    make_consent(person=draft.person, organisation=cast.org_b, recorded_by=cast.operator_a)
    assert not can_view_plan(cast.operator_b, draft)
