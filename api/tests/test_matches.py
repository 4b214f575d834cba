"""Explained matches through the API, both ways: the same ranking and explanation as the pages, no health data."""

import datetime
import html

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from api.tests.arrange import all_keys
from audit.choices import Action
from audit.models import AuditEvent
from opportunities.tests.conftest import candidate, employer, make_opportunity  # noqa: F401 (fixtures)
from people import services as people_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(cast, employer):  # noqa: F811
    """A wished warehouse job, an unwished internship, a course teaching the job's missing skill, a too-long job."""
    soon = timezone.localdate() + datetime.timedelta(days=10)
    return {
        "job": make_opportunity(
            cast.company,
            "Addetto logistica",
            employer=employer,
            occupation_code="9321",
            municipio=9,
            hours_per_week=20,
            required_skills=["warehouse", "driving_licence_b"],
        ),
        "internship": make_opportunity(
            cast.org_a,
            "Tirocinio d'ufficio",
            kind="internship",
            occupation_code="41",
            municipio=8,
            required_skills=["forklift"],
        ),
        "course": make_opportunity(
            cast.org_a,
            "Corso patente B",
            kind="course",
            municipio=9,
            starts_on=soon,
            skills_taught=["driving_licence_b"],
        ),
        "long": make_opportunity(cast.org_b, "Turni lunghi", occupation_code="93", municipio=9, hours_per_week=40),
    }


def matches_url(person) -> str:
    return f"/api/v1/candidates/{person.pk}/matches/"


def test_a_candidates_matches_are_ranked_and_explained(cast, candidate, catalogue, api_for):  # noqa: F811
    response = api_for(cast.operator_a).get(matches_url(candidate), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert (body["has_profile"], body["has_consent"], body["can_propose"]) == (True, True, True)
    ids = [r["opportunity"]["id"] for r in body["results"]]
    assert ids[0] == catalogue["job"].pk and catalogue["long"].pk not in ids  # 40 hours: over the candidate's 30
    assert set(ids) == {catalogue["job"].pk, catalogue["internship"].pk, catalogue["course"].pk}
    best = body["results"][0]["explanation"]
    # Occupation wish no. 1 (45) and sector wish no. 1 (15); one of two required skills (12) and no desired (6).
    assert (best["total"], best["wishes_points"], best["skills_points"], best["readiness_points"]) == (83, 60, 18, 5)
    assert [(w["kind"], w["code"], w["rank"], w["points"]) for w in best["wishes_matched"]] == [
        ("isco", "93", 1, 45),
        ("ateco", "52", 1, 15),
    ]
    assert [s["code"] for s in best["required_skills_held"]] == ["warehouse"]
    assert [s["code"] for s in best["required_skills_missing"]] == ["driving_licence_b"]
    assert best["courses"] == [
        {
            "skill": {"code": "driving_licence_b", "label": best["required_skills_missing"][0]["label"]},
            "courses": [
                {
                    "id": catalogue["course"].pk,
                    "title": "Corso patente B",
                    "starts_on": catalogue["course"].starts_on.isoformat(),
                }
            ],
        }
    ]
    assert (best["why"], best["why_text"]) == ("higher_total", "Ranks above the next result: a higher score.")
    assert body["results"][-1]["explanation"]["why"] == "last"
    event = AuditEvent.objects.get(action=Action.MATCH_VIEW)
    assert event.person_id == candidate.pk and event.detail == {"from": "candidate", "opportunities": ids}


def test_the_api_explains_as_the_page_does(cast, candidate, catalogue, api_for, client_for):  # noqa: F811
    body = api_for(cast.operator_a).get(matches_url(candidate), HTTP_ACCEPT_LANGUAGE="en").json()
    client = client_for(cast.operator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html.unescape(
        client.get(reverse("opportunities:person_matches", kwargs={"person_pk": candidate.pk})).content.decode()
    )
    for result in body["results"]:
        explanation = result["explanation"]
        assert f"Score {explanation['total']} out of 100" in page
        assert explanation["why_text"] in page
        for skill in explanation["required_skills_held"] + explanation["required_skills_missing"]:
            assert skill["label"] in page


def test_the_explanation_speaks_the_requests_language(cast, candidate, catalogue, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    english = api.get(matches_url(candidate), HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["explanation"]
    italian = api.get(matches_url(candidate), HTTP_ACCEPT_LANGUAGE="it").json()["results"][0]["explanation"]
    assert english["total"] == italian["total"] and english["why"] == italian["why"]
    assert english["why_text"] != italian["why_text"]


def test_health_data_change_nothing_and_are_never_sent(cast, candidate, catalogue, api_for):  # noqa: F811
    api = api_for(cast.clinician_a)  # a clinician of the treating team, who may read the diagnosis elsewhere
    before = api.get(matches_url(candidate)).json()
    by_opportunity = api.get(f"/api/v1/opportunities/{catalogue['job'].pk}/candidates/").json()
    candidate.diagnosis_group = "F30-F39"
    candidate.civil_invalidity_percent = 80
    candidate.save(update_fields=["diagnosis_group", "civil_invalidity_percent"])
    assert api.get(matches_url(candidate)).json() == before
    assert api.get(f"/api/v1/opportunities/{catalogue['job'].pk}/candidates/").json() == by_opportunity
    assert not (all_keys(before) | all_keys(by_opportunity)) & {"diagnosis_group", "civil_invalidity_percent"}


@pytest.mark.parametrize("who", ["operator_b", "company_referent", "analyst", "sysadmin"])
def test_another_organisation_finds_no_such_candidate(cast, candidate, catalogue, api_for, who):  # noqa: F811
    api = api_for(getattr(cast, who))
    response = api.get(matches_url(candidate))
    missing = api.get("/api/v1/candidates/987654/matches/")
    assert response.status_code == missing.status_code == 404 and response.json() == missing.json()
    assert not AuditEvent.objects.filter(action=Action.MATCH_VIEW).exists()


def test_an_opportunitys_candidates_come_from_the_users_consented_caseload(
    cast,
    candidate,  # noqa: F811
    catalogue,
    api_for,
):
    job = catalogue["job"]
    response = api_for(cast.operator_a).get(f"/api/v1/opportunities/{job.pk}/candidates/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["rank"], r["person"]["id"], r["person"]["full_name"]) for r in results] == [
        (1, candidate.pk, candidate.full_name)
    ]
    assert results[0]["explanation"]["total"] == 83 and (results[0]["proposal"], results[0]["proposal_status"]) == (
        None,
        "",
    )
    event = AuditEvent.objects.get(action=Action.MATCH_VIEW)
    assert event.object_id == str(job.pk) and event.detail == {"from": "opportunity", "persons": [candidate.pk]}
    # Another organisation's operator sees the opportunity, but nobody of A's caseload.
    assert api_for(cast.operator_b).get(f"/api/v1/opportunities/{job.pk}/candidates/").json()["results"] == []
    # The company reads its own opportunity, never candidates from a caseload.
    assert api_for(cast.company_referent).get(f"/api/v1/opportunities/{job.pk}/").status_code == 200
    assert api_for(cast.company_referent).get(f"/api/v1/opportunities/{job.pk}/candidates/").status_code == 404
    assert api_for(cast.analyst).get(f"/api/v1/opportunities/{job.pk}/candidates/").status_code == 404


def test_withdrawing_the_consent_takes_the_candidate_out_at_once(cast, candidate, catalogue, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    url = f"/api/v1/opportunities/{catalogue['job'].pk}/candidates/"
    assert len(api.get(url).json()["results"]) == 1
    consent = candidate.consents.get(purpose="company_contact")
    people_services.consent_withdraw(actor=cast.operator_a, consent=consent)
    assert api.get(url).json()["results"] == []
    assert api.get(matches_url(candidate)).json()["can_propose"] is False


def test_the_limit_parameter(cast, candidate, catalogue, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    assert len(api.get(matches_url(candidate), {"limit": 1}).json()["results"]) == 1
    with api.sending_invalid_requests():
        for bad in ("0", "51", "many"):
            response = api.get(matches_url(candidate), {"limit": bad})
            assert response.status_code == 400 and "limit" in response.json()
