"""Instruments and assessments in the API: same access, clinical filtering, audit and 409 as the pages."""

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from assessments.loader import load_instruments
from assessments.models import Assessment
from assessments.tests.conftest import EMPLOYABILITY_CLINICAL, EMPLOYABILITY_NON_CLINICAL
from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_person
from plans.vocabulary import load_vocabulary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def instruments(db):
    load_vocabulary()
    load_instruments()


def start(api, person, instrument="employability"):
    return api.post("/api/v1/assessments/", {"person": person.pk, "instrument": instrument})


def test_the_catalogue_and_its_fhir_questionnaire(cast, api_for):
    api = api_for(cast.analyst)  # no person data: every signed-in user reads it
    codes = [row["code"] for row in api.get("/api/v1/instruments/").json()["results"]]
    assert {"employability", "skills_balance", "icf_vocational"} <= set(codes)
    body = api.get("/api/v1/instruments/employability/questionnaire/").json()
    assert Questionnaire.model_validate(body).status == "active"
    assert api.get("/api/v1/instruments/employability/questionnaire/", {"version": 99}).status_code == 404
    assert api.get("/api/v1/instruments/nothing/").status_code == 404


def test_fill_save_and_complete_through_the_api(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    started = start(api, person_a)
    assert started.status_code == 201, started.json()
    body = started.json()
    assert (body["status"], body["version"], body["instrument"]) == ("draft", 1, "employability")
    saved = api.post(
        f"/api/v1/assessments/{body['id']}/save/",
        {"version": 1, "answers": EMPLOYABILITY_NON_CLINICAL, "complete": True},
    )
    assert saved.status_code == 200, saved.json()
    done = saved.json()
    assert done["status"] == "completed" and done["band"] and done["total"] is not None
    assert AuditEvent.objects.filter(action=Action.ASSESSMENT_COMPLETE, person=person_a).count() == 1
    response = api.get(f"/api/v1/assessments/{body['id']}/fhir/").json()
    assert QuestionnaireResponse.model_validate(response).status == "completed"


def test_a_stale_save_is_a_409_naming_the_items(cast, person_a, api_for):
    first, second = api_for(cast.operator_a), api_for(cast.coordinator_a)
    pk = start(first, person_a).json()["id"]
    assert (
        first.post(f"/api/v1/assessments/{pk}/save/", {"version": 1, "answers": {"wh_recent": "1"}}).status_code == 200
    )
    stale = second.post(f"/api/v1/assessments/{pk}/save/", {"version": 1, "answers": {"wh_recent": "3"}})
    assert stale.status_code == 409
    assert stale.json()["changed"] == ["wh_recent"] and stale.json()["version"] == 2
    assert Assessment.objects.get(pk=pk).answers["wh_recent"] == "1"


def test_clinical_items_only_for_the_clinician(cast, person_a, api_for):
    clinician = api_for(cast.clinician_a)
    pk = start(clinician, person_a).json()["id"]
    answers = {**EMPLOYABILITY_NON_CLINICAL, **EMPLOYABILITY_CLINICAL}
    assert clinician.post(f"/api/v1/assessments/{pk}/save/", {"version": 1, "answers": answers}).status_code == 200
    assert "cl_stability" in clinician.get(f"/api/v1/assessments/{pk}/").json()["answers"]
    seen_by_operator = api_for(cast.operator_a).get(f"/api/v1/assessments/{pk}/").json()
    assert not any(key.startswith("cl_") for key in seen_by_operator["answers"])
    assert "Ricovero" not in str(seen_by_operator)
    fhir = api_for(cast.operator_a).get(f"/api/v1/assessments/{pk}/fhir/").json()
    assert "Ricovero" not in str(fhir)


def test_another_organisation_and_aggregate_roles_reach_nothing(cast, person_a, api_for):
    pk = start(api_for(cast.operator_a), person_a).json()["id"]
    for user in (cast.operator_b, cast.analyst, cast.dpo):
        api = api_for(user)
        assert api.get(f"/api/v1/assessments/{pk}/").status_code == 404
        assert api.get("/api/v1/assessments/").json()["count"] == 0
    outsider = api_for(cast.operator_b)
    assert outsider.post(f"/api/v1/assessments/{pk}/save/", {"version": 1, "answers": {}}).status_code == 404
    assert outsider.get(f"/api/v1/assessments/{pk}/fhir/").status_code == 404
    # A person of the other organisation is an unknown id: a 400 on the field, not a hint that it exists.
    other = make_person(registered_by=cast.org_b)
    refused = start(api_for(cast.operator_a), other)
    assert refused.status_code == 400 and "person" in refused.json()
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_id=str(pk)).exists()


def test_bad_answers_are_a_400_and_nothing_is_saved(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    pk = start(api, person_a).json()["id"]
    bad = api.post(f"/api/v1/assessments/{pk}/save/", {"version": 1, "answers": {"wh_recent": "nine"}})
    assert bad.status_code == 400 and "wh_recent" in bad.json()
    incomplete = api.post(f"/api/v1/assessments/{pk}/save/", {"version": 1, "answers": {}, "complete": True})
    assert incomplete.status_code == 400
    assert Assessment.objects.get(pk=pk).version == 1


def test_the_list_filters_and_keeps_its_query_count(cast, person_a, api_for, django_assert_max_num_queries):
    api = api_for(cast.operator_a)
    for _ in range(3):
        start(api, person_a)
    start(api, person_a, "skills_balance")
    assert api.get("/api/v1/assessments/", {"instrument": "skills_balance"}).json()["count"] == 1
    assert api.get("/api/v1/assessments/", {"person": person_a.pk}).json()["count"] == 4
    with django_assert_max_num_queries(12):
        api.get("/api/v1/assessments/")
