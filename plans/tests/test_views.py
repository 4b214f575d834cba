"""The plan and evaluation pages: another organisation's 404 on every URL, the 409 of a stale save that keeps the
input, the PDF of an approved version, audited reads, and the person's page query count."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_person
from plans import services
from plans.models import Goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(cast, person_a):
    return services.evaluation_create(
        actor=cast.operator_a, person=person_a, held_on=datetime.date(2025, 3, 10), role="Case manager"
    )


def _urls(plan, evaluation):
    goal = plan.goals.get()
    action = goal.actions.get()
    resource = goal.resources.first()
    review = plan.reviews.get()
    participant = evaluation.participants.get()
    p, e = plan.pk, evaluation.pk
    return [
        reverse("plans:person", args=[plan.person_id]),
        reverse("plans:evaluation_start", args=[plan.person_id]),
        reverse("plans:detail", args=[p]),
        reverse("plans:pdf", args=[p]),
        reverse("plans:edit", args=[p]),
        reverse("plans:approve", args=[p]),
        reverse("plans:goal_new", args=[p]),
        reverse("plans:goal_edit", args=[p, goal.pk]),
        reverse("plans:goal_delete", args=[p, goal.pk]),
        reverse("plans:action_new", args=[p, goal.pk]),
        reverse("plans:action_edit", args=[p, goal.pk, action.pk]),
        reverse("plans:action_delete", args=[p, goal.pk, action.pk]),
        reverse("plans:resource_new", args=[p, goal.pk]),
        reverse("plans:resource_edit", args=[p, goal.pk, resource.pk]),
        reverse("plans:resource_delete", args=[p, goal.pk, resource.pk]),
        reverse("plans:review_new", args=[p]),
        reverse("plans:review_delete", args=[p, review.pk]),
        reverse("plans:review_record", args=[p, review.pk]),
        reverse("plans:evaluation", args=[e]),
        reverse("plans:evaluation_edit", args=[e]),
        reverse("plans:participant_add", args=[e]),
        reverse("plans:participant_remove", args=[e, participant.pk]),
        reverse("plans:evaluation_sign", args=[e]),
        reverse("plans:evaluation_propose", args=[e]),
    ]


@pytest.mark.parametrize("user", ["operator_b", "coordinator_b", "analyst", "company_referent", "sysadmin", "dpo"])
def test_another_organisation_gets_404_on_every_url_and_nothing_changes(cast, draft, evaluation, client_for, user):
    client = client_for(getattr(cast, user))
    version = draft.version
    get_only = {
        reverse("plans:detail", args=[draft.pk]),
        reverse("plans:pdf", args=[draft.pk]),
        reverse("plans:evaluation", args=[evaluation.pk]),
    }
    post_only = {
        reverse(name, args=[pk])
        for name, pk in (
            ("plans:evaluation_start", draft.person_id),
            ("plans:evaluation_sign", evaluation.pk),
            ("plans:evaluation_propose", evaluation.pk),
        )
    }
    for url in _urls(draft, evaluation):
        assert client.get(url).status_code == (405 if url in post_only else 404), url
        response = client.post(url, {"version": version, "title": "x", "area": "work", "held_on": "2025-01-01"})
        assert response.status_code == (405 if url in get_only else 404), url
    draft.refresh_from_db()
    assert draft.version == version and draft.is_draft
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=getattr(cast, user)).exists()


def test_the_plan_page_shows_the_budget_and_audits_the_read(cast, draft, client_for):
    client = client_for(cast.operator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("plans:detail", args=[draft.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Total of the plan" in body and "5,000.50" in body
    assert AuditEvent.objects.filter(action=Action.PLAN_VIEW, object_id=str(draft.pk), actor=cast.operator_a).exists()


def test_a_stale_save_answers_409_keeps_the_input_and_shows_the_change(cast, draft, client_for):
    read_at = draft.version
    goal = draft.goals.get()
    services.goal_save(
        actor=cast.coordinator_a, plan=draft, version=read_at, goal=goal, area="housing", title="Casa e quartiere"
    )
    client = client_for(cast.operator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("plans:goal_new", args=[draft.pk]), {"version": read_at, "area": "work", "title": "Tirocinio in bar"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this plan" in body
    assert 'value="Tirocinio in bar"' in body  # the input is kept
    assert "Casa e quartiere" in body and 'data-testid="stale-changes"' in body
    assert not Goal.objects.filter(title="Tirocinio in bar").exists()
    draft.refresh_from_db()
    assert f'name="version" value="{draft.version}"' in body  # saving again is based on the current version
    again = client.post(
        reverse("plans:goal_new", args=[draft.pk]),
        {"version": draft.version, "area": "work", "title": "Tirocinio in bar"},
    )
    assert again.status_code == 302
    assert Goal.objects.filter(title="Tirocinio in bar").exists()


def test_approve_then_pdf(cast, draft, client_for):
    client = client_for(cast.coordinator_a)
    assert client.get(reverse("plans:pdf", args=[draft.pk])).status_code == 404  # drafts do not print
    response = client.post(reverse("plans:approve", args=[draft.pk]), {"version": draft.version})
    assert response.status_code == 302
    response = client.get(reverse("plans:pdf", args=[draft.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # An approved version has no edit pages any more.
    assert client.get(reverse("plans:edit", args=[draft.pk])).status_code == 404


def test_person_page_query_count_does_not_grow_with_versions(cast, draft, client_for, django_assert_max_num_queries):
    client = client_for(cast.operator_a)
    url = reverse("plans:person", args=[draft.person_id])
    services.evaluation_create(actor=cast.operator_a, person=draft.person, held_on=datetime.date(2025, 2, 1), role="CM")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    plan = services.plan_approve(actor=cast.operator_a, plan=draft, version=draft.version)
    services.plan_create(actor=cast.operator_a, person=plan.person)
    services.evaluation_create(actor=cast.operator_a, person=plan.person, held_on=datetime.date(2025, 3, 1), role="CM")
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_the_person_record_links_the_plan_for_the_treating_team_only(cast, person_a, client_for):
    client = client_for(cast.operator_a)
    assert 'data-testid="person-plans"' in client.get(reverse("people:detail", args=[person_a.pk])).content.decode()
    other = make_person(registered_by=cast.org_b)
    client = client_for(cast.operator_b)
    assert 'data-testid="person-plans"' in client.get(reverse("people:detail", args=[other.pk])).content.decode()
    assert client.get(reverse("plans:person", args=[person_a.pk])).status_code == 404
