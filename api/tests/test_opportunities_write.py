"""Publishing, changing, closing and reopening opportunities through the API: the publisher's staff, as the pages."""

import datetime

import pytest
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from opportunities.models import Opportunity
from opportunities.tests.conftest import employer, make_opportunity, other_employer  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

NEW = {
    "kind": "internship",
    "title": "Tirocinio di magazzino",
    "occupation_code": "93",
    "status": "open",
    "days": [1, 2],
    "required_skills": ["warehouse"],
    "desired_skills": ["forklift"],
    "seats": 2,
    "municipio": 9,
}


def test_a_scout_publishes_an_opportunity(cast, employer, api_for):  # noqa: F811
    response = api_for(cast.operator_a).post("/api/v1/opportunities/", {**NEW, "employer": employer.pk})
    assert response.status_code == 201
    body = response.json()
    opportunity = Opportunity.objects.get(pk=body["id"])
    assert (opportunity.organisation, opportunity.employer, opportunity.days) == (cast.org_a, employer, [1, 2])
    assert (body["employer_name"], body["status"], body["version"]) == (employer.organisation.name, "open", 1)
    event = AuditEvent.objects.get(action=Action.OPPORTUNITY_SAVE, object_id=str(opportunity.pk))
    assert event.detail["created"] is True and event.detail["status"] == "open"


def test_a_company_referent_publishes_for_their_company_a_draft_by_default(cast, api_for):
    response = api_for(cast.company_referent).post("/api/v1/opportunities/", {"kind": "job", "title": "Magazziniere"})
    assert response.status_code == 201
    opportunity = Opportunity.objects.get(pk=response.json()["id"])
    assert (opportunity.organisation, opportunity.status) == (cast.company, "draft")


@pytest.mark.parametrize("who", ["clinician_a", "peer_a", "analyst", "sysadmin"])
def test_roles_that_read_the_catalogue_but_do_not_publish_get_a_403(cast, api_for, who):
    job = make_opportunity(cast.org_a, "Addetto")
    api = api_for(getattr(cast, who))
    assert api.post("/api/v1/opportunities/", NEW).status_code == 403
    assert api.patch(f"/api/v1/opportunities/{job.pk}/", {"version": 1, "title": "X"}).status_code == 403
    assert api.post(f"/api/v1/opportunities/{job.pk}/close/").status_code == 403
    assert list(Opportunity.objects.values_list("title", "status")) == [("Addetto", "open")]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"required_skills": ["juggling"]}, "required_skills"),
        ({"desired_skills": ["warehouse"]}, "desired_skills"),
        ({"skills_taught": ["warehouse"]}, "skills_taught"),
        ({"occupation_code": "0000"}, "occupation_code"),
        ({"starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "ends_on"),
        ({"days": [8]}, "days"),
        ({"hours_per_week": 80}, "hours_per_week"),
        ({"seats": 0}, "seats"),
        ({"kind": "spaceship"}, "kind"),
        ({"title": ""}, "title"),
        ({"employer": 987654}, "employer"),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_saved(cast, api_for, change, field):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post("/api/v1/opportunities/", {**NEW, **change})
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Opportunity.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.OPPORTUNITY_SAVE).exists()


def test_an_employer_the_user_cannot_see_is_an_unknown_id(cast, other_employer, api_for):  # noqa: F811
    api = api_for(cast.company_referent)
    with api.sending_invalid_requests():
        response = api.post("/api/v1/opportunities/", {"kind": "job", "title": "X", "employer": other_employer.pk})
    assert response.status_code == 400 and "employer" in response.json()
    assert not Opportunity.objects.exists()


def test_the_publisher_changes_closes_and_reopens_it(cast, api_for):
    job = make_opportunity(cast.org_a, "Addetto", hours_per_week=20)
    api = api_for(cast.coordinator_a)
    changed = api.patch(f"/api/v1/opportunities/{job.pk}/", {"version": 1, "hours_per_week": 25, "seats": 3})
    assert changed.status_code == 200 and (changed.json()["hours_per_week"], changed.json()["version"]) == (25, 2)
    stale = api.patch(f"/api/v1/opportunities/{job.pk}/", {"version": 1, "hours_per_week": 30})
    assert stale.status_code == 409 and stale.json()["version"] == 2

    closed = api.post(f"/api/v1/opportunities/{job.pk}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    # Closed: out of the catalogue of other organisations.
    assert api_for(cast.operator_b).get(f"/api/v1/opportunities/{job.pk}/").status_code == 404
    reopened = api.post(f"/api/v1/opportunities/{job.pk}/reopen/")
    assert reopened.status_code == 200 and (reopened.json()["status"], reopened.json()["version"]) == ("open", 4)
    assert api_for(cast.operator_b).get(f"/api/v1/opportunities/{job.pk}/").status_code == 200
    statuses = [
        e.detail["status"]
        for e in AuditEvent.objects.filter(action=Action.OPPORTUNITY_SAVE, object_id=str(job.pk)).order_by("pk")
    ]
    assert statuses == ["open", "closed", "open"]


def test_an_ended_opportunity_is_not_reopened(cast, api_for):
    ended = timezone.localdate() - datetime.timedelta(days=1)
    job = make_opportunity(cast.org_a, "Addetto", status="closed", ends_on=ended)
    response = api_for(cast.operator_a).post(f"/api/v1/opportunities/{job.pk}/reopen/")
    assert response.status_code == 400 and "ends_on" in response.json()
    job.refresh_from_db()
    assert job.status == "closed"


def test_another_organisations_opportunity_is_a_404(cast, api_for):
    job = make_opportunity(cast.org_a, "Addetto")
    company_job = make_opportunity(cast.company, "Magazziniere")
    api = api_for(cast.operator_b)  # a scout of another organisation: reads A's opportunity, changes only B's
    for url, method, body in [
        (f"/api/v1/opportunities/{job.pk}/", "patch", {"version": 1, "title": "X"}),
        (f"/api/v1/opportunities/{job.pk}/close/", "post", None),
        (f"/api/v1/opportunities/{job.pk}/reopen/", "post", None),
    ]:
        response = getattr(api, method)(url, body)
        missing = getattr(api, method)(url.replace(f"/{job.pk}/", "/987654/"), body)
        assert response.status_code == missing.status_code == 404 and response.json() == missing.json()
    referent = api_for(cast.company_referent)
    assert referent.patch(f"/api/v1/opportunities/{job.pk}/", {"version": 1, "title": "X"}).status_code == 404
    assert referent.post(f"/api/v1/opportunities/{company_job.pk}/close/").status_code == 200
    job.refresh_from_db()
    assert (job.title, job.status, job.version) == ("Addetto", "open", 1)
