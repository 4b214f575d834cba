"""Drafting a plan through the API: header and agreement, goals, actions, resources, review dates and outcomes;
approved versions never change, one draft per person, 409 on a stale version, another organisation's 404,
read-only roles' 403, bad input's 400 with nothing saved, audit."""

import datetime

import pytest

from audit.choices import Action
from audit.models import AuditEvent
from plans import services
from plans.models import Goal, GoalOutcome, Plan, PlanAction, Resource, Review, Term
from plans.tests.conftest import draft  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_draft_a_plan_from_nothing_to_approval(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    created = api.post("/api/v1/plans/", {"person": person_a.pk, "title": "Progetto di vita"})
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert (plan["status"], plan["number"], plan["version"], plan["title"]) == ("draft", 1, 1, "Progetto di vita")
    url = f"/api/v1/plans/{plan['id']}"

    goal = api.post(f"{url}/goals/", {"version": 1, "area": "work", "title": "Trovare un lavoro"})
    assert goal.status_code == 201, goal.json()
    goal_id = goal.json()["goals"][0]["id"]
    version = goal.json()["version"]
    action = api.post(
        f"{url}/actions/",
        {"version": version, "goal": goal_id, "description": "Tirocinio", "organisation": cast.org_a.pk},
    )
    assert action.status_code == 201, action.json()
    resource = api.post(
        f"{url}/resources/",
        {
            "version": action.json()["version"],
            "goal": goal_id,
            "description": "Indennità",
            "funding_source": "comune",
            "cost": "2400.00",
        },
    )
    assert resource.status_code == 201 and resource.json()["budget"]["total"]["comune"] == "2400.00"
    review = api.post(f"{url}/reviews/", {"version": resource.json()["version"], "planned_on": "2026-06-01"})
    assert review.status_code == 201 and review.json()["reviews"][0]["planned_on"] == "2026-06-01"
    header = api.patch(
        f"{url}/",
        {
            "version": review.json()["version"],
            "starts_on": "2026-01-01",
            "person_agreed": True,
            "agreed_on": "2026-01-01",
        },
    )
    assert header.status_code == 200, header.json()
    assert (header.json()["title"], header.json()["person_agreed"]) == ("Progetto di vita", True)
    approved = api.post(f"{url}/approve/", {"version": header.json()["version"]})
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    saves = AuditEvent.objects.filter(action=Action.PLAN_SAVE, person=person_a, object_id=str(plan["id"]))
    assert saves.count() == 6  # created, goal, action, resource, review date, header


def test_change_and_remove_items_of_a_draft(cast, draft, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    url = f"/api/v1/plans/{draft.pk}"
    goal = draft.goals.get()
    term = Term.objects.create(
        slug="abitare", area="housing", name_it="Abitare", name_en="Housing", definition_it="d", definition_en="d"
    )
    changed = api.patch(f"{url}/goals/{goal.pk}/", {"version": draft.version, "term": "abitare"})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["goals"][0]["term"] == "abitare" and changed.json()["goals"][0]["title"] == "Vivere da sola"
    goal.refresh_from_db()
    assert goal.term == term
    version = changed.json()["version"]

    action = goal.actions.get()
    moved = api.patch(f"{url}/actions/{action.pk}/", {"version": version, "operator_name": "Educatore"})
    assert moved.status_code == 200 and PlanAction.objects.get(pk=action.pk).operator_name == "Educatore"
    resource = goal.resources.get(funding_source="comune")
    costed = api.patch(f"{url}/resources/{resource.pk}/", {"version": moved.json()["version"], "cost": "2000.00"})
    assert costed.status_code == 200 and costed.json()["budget"]["grand_total"] == "5200.00"
    removed = api.delete(f"{url}/resources/{resource.pk}/?version={costed.json()['version']}")
    assert removed.status_code == 200 and not Resource.objects.filter(pk=resource.pk).exists()
    review = draft.reviews.get()
    no_review = api.delete(f"{url}/reviews/{review.pk}/?version={removed.json()['version']}")
    assert no_review.status_code == 200 and not Review.objects.filter(pk=review.pk).exists()
    with api.sending_invalid_requests():
        unversioned = api.delete(f"{url}/goals/{goal.pk}/")
    assert unversioned.status_code == 400 and "version" in unversioned.json()
    assert Goal.objects.filter(pk=goal.pk).exists()
    gone = api.delete(f"{url}/goals/{goal.pk}/?version={no_review.json()['version']}")
    assert gone.status_code == 200 and gone.json()["goals"] == []
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert api.delete(f"{url}/goals/{goal.pk}/?version={gone.json()['version']}").status_code == 404


def test_a_stale_edit_is_a_409_listing_what_changed(cast, draft, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    url = f"/api/v1/plans/{draft.pk}"
    stale_version = draft.version
    first = api.post(f"{url}/goals/", {"version": stale_version, "area": "social", "title": "Un corso di teatro"})
    assert first.status_code == 201
    second = api.post(f"{url}/goals/", {"version": stale_version, "area": "health", "title": "Visite regolari"})
    assert second.status_code == 409
    assert second.json()["version"] == first.json()["version"] and second.json()["changed"]
    assert list(Goal.objects.filter(plan=draft).values_list("title", flat=True).order_by("pk")) == [
        "Vivere da sola",
        "Un corso di teatro",
    ]


def test_an_approved_version_never_changes_and_one_draft_at_a_time(cast, person_a, draft, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    again = api.post("/api/v1/plans/", {"person": person_a.pk})
    assert again.status_code == 400 and again.json()["non_field_errors"]
    approved = services.plan_approve(actor=cast.operator_a, plan=draft, version=draft.version)
    url = f"/api/v1/plans/{draft.pk}"
    goal = draft.goals.get()
    for response in (
        api.patch(f"{url}/", {"version": approved.version, "title": "Altro"}),
        api.post(f"{url}/goals/", {"version": approved.version, "area": "work", "title": "Lavoro"}),
        api.delete(f"{url}/goals/{goal.pk}/?version={approved.version}"),
    ):
        assert response.status_code == 403
    plan = Plan.objects.get(pk=draft.pk)
    assert (plan.title, plan.goals.count(), plan.version) == ("Progetto di vita", 1, approved.version)

    # A change is a new draft, copied from the version in force; approving it supersedes the old one.
    new = api.post("/api/v1/plans/", {"person": person_a.pk})
    assert new.status_code == 201 and (new.json()["number"], new.json()["previous"]) == (2, draft.pk)
    assert [g["title"] for g in new.json()["goals"]] == ["Vivere da sola"]
    new_url = f"/api/v1/plans/{new.json()['id']}"
    agreed = api.patch(
        f"{new_url}/", {"version": new.json()["version"], "person_agreed": True, "agreed_on": "2026-01-10"}
    )
    assert agreed.status_code == 200, agreed.json()
    approved_new = api.post(f"{new_url}/approve/", {"version": agreed.json()["version"]})
    assert approved_new.status_code == 200, approved_new.json()
    assert list(Plan.objects.filter(person=person_a).order_by("number").values_list("status", flat=True)) == [
        "superseded",
        "active",
    ]


def test_recording_a_review_of_the_plan_in_force(cast, draft, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    review = draft.reviews.get()
    goal = draft.goals.get()
    url = f"/api/v1/plans/{draft.pk}/reviews/{review.pk}/record/"
    body = {"held_on": "2026-03-01", "outcomes": [{"goal": goal.pk, "outcome": "partly", "note": "Quasi"}]}
    on_a_draft = api.post(url, body)
    assert on_a_draft.status_code == 403
    services.plan_approve(actor=cast.operator_a, plan=draft, version=draft.version)
    with api.sending_invalid_requests():
        bad = api.post(url, {"held_on": "2026-03-01", "outcomes": [{"goal": goal.pk, "outcome": "maybe"}]})
    assert bad.status_code == 400 and "outcomes" in bad.json()
    unknown = api.post(url, {"held_on": "2026-03-01", "outcomes": [{"goal": 987654, "outcome": "achieved"}]})
    assert unknown.status_code == 400 and "outcomes" in unknown.json()
    assert not GoalOutcome.objects.exists()
    recorded = api.post(url, body)
    assert recorded.status_code == 200, recorded.json()
    outcomes = recorded.json()["reviews"][0]["outcomes"]
    assert outcomes == [{"goal": goal.pk, "outcome": "partly", "note": "Quasi"}]
    assert recorded.json()["reviews"][0]["held_on"] == "2026-03-01"
    twice = api.post(url, body)
    assert twice.status_code == 400 and GoalOutcome.objects.count() == 1


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("goals/", {"area": "space", "title": "Luna"}, "area"),
        ("goals/", {"area": "work", "title": ""}, "title"),
        ("goals/", {"area": "work", "title": "Lavoro", "term": "nessuno"}, "term"),
        ("goals/", {"area": "work", "title": "Lavoro", "version": 0}, "version"),
        ("actions/", {"goal": 987654, "description": "Azione", "organisation": "org"}, "goal"),
        ("actions/", {"goal": "goal", "description": "Azione", "organisation": 987654}, "organisation"),
        (
            "resources/",
            {"goal": "goal", "description": "Affitto", "funding_source": "bank", "cost": "10"},
            "funding_source",
        ),
        ("resources/", {"goal": "goal", "description": "Affitto", "funding_source": "asst", "cost": "-1"}, "cost"),
        ("reviews/", {"planned_on": "2025-01-01"}, "planned_on"),
        ("reviews/", {"planned_on": "next year"}, "planned_on"),
    ],
)
def test_bad_input_is_400_and_nothing_is_saved(cast, draft, api_for, path, body, field):  # noqa: F811
    goal = draft.goals.get()
    body = {"version": draft.version, **body}
    body = {
        key: (goal.pk if value == "goal" else cast.org_a.pk if value == "org" else value) for key, value in body.items()
    }
    before = (Goal.objects.count(), PlanAction.objects.count(), Resource.objects.count(), Review.objects.count())
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post(f"/api/v1/plans/{draft.pk}/{path}", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    after = (Goal.objects.count(), PlanAction.objects.count(), Resource.objects.count(), Review.objects.count())
    assert after == before and Plan.objects.get(pk=draft.pk).version == draft.version


def test_another_organisation_404_and_read_only_roles_403(cast, person_a, draft, api_for):  # noqa: F811
    goal = draft.goals.get()
    url = f"/api/v1/plans/{draft.pk}"
    other = api_for(cast.operator_b)
    hidden = other.post(f"{url}/goals/", {"version": draft.version, "area": "work", "title": "Lavoro"})
    missing = other.post("/api/v1/plans/987654/goals/", {"version": draft.version, "area": "work", "title": "Lavoro"})
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert other.patch(f"{url}/goals/{goal.pk}/", {"version": draft.version, "title": "X"}).status_code == 404
    assert other.delete(f"{url}/goals/{goal.pk}/?version={draft.version}").status_code == 404
    with other.sending_invalid_requests():
        refused = other.post("/api/v1/plans/", {"person": person_a.pk})
    assert refused.status_code == 400 and "person" in refused.json()  # out of reach: an unknown id
    for user in (cast.peer_a, cast.analyst):
        api = api_for(user)
        assert api.post(f"{url}/goals/", {"version": draft.version, "area": "work", "title": "L"}).status_code == 403
        assert api.post("/api/v1/plans/", {"person": person_a.pk}).status_code == 403
    assert Plan.objects.count() == 1 and Goal.objects.count() == 1
    assert Plan.objects.get(pk=draft.pk).version == draft.version
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_id=str(draft.pk)).exists()


def test_reading_a_plan_is_audited_with_its_reviews(cast, draft, api_for):  # noqa: F811
    body = api_for(cast.operator_a).get(f"/api/v1/plans/{draft.pk}/").json()
    assert [r["planned_on"] for r in body["reviews"]] == [str(datetime.date(2026, 3, 1))]
    assert AuditEvent.objects.filter(action=Action.PLAN_VIEW, object_id=str(draft.pk)).count() == 1
