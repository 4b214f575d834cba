"""Plans and joint evaluations in the API: reads with the budget, approve and sign, 409, another org's 404."""

import datetime

import pytest

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_consent
from plans import services
from plans.models import Plan
from plans.tests.conftest import draft  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(cast, person_a):
    """Convened by Sacco's operator with a Niguarda operator, concluded, ready to sign."""
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    evaluation = services.evaluation_create(
        actor=cast.operator_a, person=person_a, held_on=datetime.date(2025, 3, 10), role="Case manager"
    )
    services.participant_add(
        actor=cast.operator_a,
        evaluation=evaluation,
        version=evaluation.version,
        membership=cast.operator_b.memberships.get(),
        role="TeRP",
    )
    evaluation.refresh_from_db()
    return services.evaluation_update(
        actor=cast.operator_a,
        evaluation=evaluation,
        version=evaluation.version,
        held_on=evaluation.held_on,
        place="CPS",
        conclusion="Casa e lavoro insieme.",
        proposals={"housing": "Vivere da sola"},
    )


def test_a_plan_with_its_budget(cast, person_a, draft, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    listing = api.get("/api/v1/plans/", {"person": person_a.pk}).json()
    assert [row["id"] for row in listing["results"]] == [draft.pk]
    body = api.get(f"/api/v1/plans/{draft.pk}/").json()
    assert body["status"] == "draft" and body["goals"][0]["area"] == "housing"
    assert body["budget"]["grand_total"] == "5000.50"
    assert body["budget"]["total"]["asst"] == "3200.00" and body["budget"]["by_area"]["housing"]["comune"] == "1800.50"
    assert AuditEvent.objects.filter(action=Action.PLAN_VIEW, object_id=str(draft.pk)).count() == 1


def test_approve_then_it_never_changes(cast, draft, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    stale = api.post(f"/api/v1/plans/{draft.pk}/approve/", {"version": draft.version - 1})
    assert stale.status_code == 409 and stale.json()["changed"]
    approved = api.post(f"/api/v1/plans/{draft.pk}/approve/", {"version": draft.version})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "active"
    # An approved version is no draft any more: nobody may change it, so approving it again is refused.
    again = api.post(f"/api/v1/plans/{draft.pk}/approve/", {"version": approved.json()["version"]})
    assert again.status_code == 403
    assert Plan.objects.get(pk=draft.pk).status == "active"


def test_an_incomplete_plan_is_refused_with_what_it_lacks(cast, person_a, api_for):
    plan = services.plan_create(actor=cast.operator_a, person=person_a)
    refused = api_for(cast.operator_a).post(f"/api/v1/plans/{plan.pk}/approve/", {"version": plan.version})
    assert refused.status_code == 400 and refused.json()["non_field_errors"]
    assert Plan.objects.get(pk=plan.pk).status == "draft"


def test_another_organisation_and_aggregate_roles_reach_no_plan(cast, draft, api_for):  # noqa: F811
    for user in (cast.operator_b, cast.analyst, cast.dpo, cast.company_referent):
        api = api_for(user)
        assert api.get(f"/api/v1/plans/{draft.pk}/").status_code == 404
        assert api.get("/api/v1/plans/").json()["count"] == 0
    assert api_for(cast.operator_b).post(f"/api/v1/plans/{draft.pk}/approve/", {"version": 1}).status_code == 404
    assert Plan.objects.get(pk=draft.pk).status == "draft"


def test_participants_sign_and_the_last_completes(cast, evaluation, api_for):
    first = api_for(cast.operator_a).post(f"/api/v1/evaluations/{evaluation.pk}/sign/", {"version": evaluation.version})
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "open"
    body = api_for(cast.operator_b).get(f"/api/v1/evaluations/{evaluation.pk}/").json()
    assert sum(1 for p in body["participants"] if p["signed_at"]) == 1
    last = api_for(cast.operator_b).post(f"/api/v1/evaluations/{evaluation.pk}/sign/", {"version": body["version"]})
    assert last.status_code == 200 and last.json()["status"] == "complete"


def test_only_participants_sign_and_a_stale_signature_is_a_409(cast, evaluation, api_for):
    outsider = api_for(cast.coordinator_a).post(f"/api/v1/evaluations/{evaluation.pk}/sign/", {"version": 9})
    assert outsider.status_code == 403
    refused = api_for(cast.coordinator_a).post(
        f"/api/v1/evaluations/{evaluation.pk}/sign/", {"version": evaluation.version}
    )
    assert refused.status_code == 403
    stale = api_for(cast.operator_b).post(
        f"/api/v1/evaluations/{evaluation.pk}/sign/", {"version": evaluation.version - 1}
    )
    assert stale.status_code == 409
    assert not evaluation.participants.filter(signed_at__isnull=False).exists()
