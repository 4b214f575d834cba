"""Reading persons: who sees whom, which fields, and the audit of every read."""

import pytest

from audit.choices import Action, Outcome
from audit.models import AuditEvent
from core.testing.cast import make_consent, make_person

IDENTITY = {"fiscal_code", "first_name", "last_name", "sex", "birth_date", "birth_place"}
CONTACTS = {"residence_comune", "residence_municipio", "address", "phone", "email"}
SOCIAL = {"education", "work_history", "civil_invalidity_percent", "law68_registered", "law68_registered_on"}
NO_PERSON_ACCESS = ["analyst", "company_referent", "sysadmin", "dpo"]


def test_list_is_paginated_and_limited_to_the_organisation(cast, person_a, api_for):
    make_person(registered_by=cast.org_b, last_name="Bianchi")
    response = api_for(cast.operator_a).get("/api/v1/persons/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["id"] for row in body["results"]] == [person_a.pk]
    # The list carries identity only, never a section-limited field.
    assert not (set(body["results"][0]) & (CONTACTS | SOCIAL | {"diagnosis_group"}))


def test_pagination_pages(cast, api_for):
    for _ in range(3):
        make_person(registered_by=cast.org_a)
    api = api_for(cast.operator_a)
    body = api.get("/api/v1/persons/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(api.get("/api/v1/persons/", {"page_size": 2, "page": 2}).json()["results"]) == 1


def test_search_by_name_and_fiscal_code_is_audited(cast, person_a, api_for):
    make_person(registered_by=cast.org_a, last_name="Verdi")
    api = api_for(cast.operator_a)
    assert [row["id"] for row in api.get("/api/v1/persons/", {"q": "rossi"}).json()["results"]] == [person_a.pk]
    by_code = api.get("/api/v1/persons/", {"q": person_a.fiscal_code[:6]}).json()["results"]
    assert [row["id"] for row in by_code] == [person_a.pk]
    assert AuditEvent.objects.filter(action=Action.PERSON_SEARCH, actor=cast.operator_a).count() == 2


def test_treating_operator_sees_contacts_and_social_but_not_clinical(cast, person_a, api_for):
    response = api_for(cast.operator_a).get(f"/api/v1/persons/{person_a.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert IDENTITY | CONTACTS | SOCIAL <= set(body)
    assert "diagnosis_group" not in body
    assert set(body["visible_sections"]) == {"identity", "contacts", "social", "cases"}
    assert [case["organisation"] for case in body["cases"]] == [cast.org_a.pk]


def test_treating_clinician_sees_the_diagnosis_group(cast, person_a, api_for):
    body = api_for(cast.clinician_a).get(f"/api/v1/persons/{person_a.pk}/").json()
    assert body["diagnosis_group"] == "F20-F29"
    assert "clinical" in body["visible_sections"]


def test_consented_organisation_sees_only_the_consented_sections(cast, person_a, api_for):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    for user in (cast.operator_b, cast.clinician_b):
        body = api_for(user).get(f"/api/v1/persons/{person_a.pk}/").json()
        assert IDENTITY | CONTACTS <= set(body)
        assert not (set(body) & (SOCIAL | {"diagnosis_group", "cases"}))
        assert body["visible_sections"] == ["contacts", "identity"]


def test_retrieve_is_audited_with_the_sections_shown(cast, person_a, api_for):
    api_for(cast.operator_a).get(f"/api/v1/persons/{person_a.pk}/")
    event = AuditEvent.objects.get(action=Action.PERSON_VIEW)
    assert (event.actor, event.person_id, event.channel) == (cast.operator_a, person_a.pk, "api")
    assert event.detail["sections"] == ["cases", "contacts", "identity", "social"]


def test_other_organisation_gets_the_same_404_as_a_missing_id_and_is_audited(cast, person_a, api_for):
    api = api_for(cast.operator_b)
    hidden = api.get(f"/api/v1/persons/{person_a.pk}/")
    missing = api.get("/api/v1/persons/987654/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    denied = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert (denied.actor, denied.person_id, denied.outcome) == (cast.operator_b, person_a.pk, Outcome.DENIED)
    assert not AuditEvent.objects.filter(action=Action.PERSON_VIEW).exists()
    assert api.get("/api/v1/persons/").json()["count"] == 0


@pytest.mark.parametrize("role", NO_PERSON_ACCESS)
def test_roles_without_person_access_get_empty_lists_and_404(cast, person_a, api_for, role):
    api = api_for(getattr(cast, role))
    assert api.get("/api/v1/persons/").json()["count"] == 0
    assert api.get(f"/api/v1/persons/{person_a.pk}/").status_code == 404
    assert api.get(f"/api/v1/persons/{person_a.pk}/consents/").status_code == 404


def test_consents_of_a_person(cast, person_a, api_for):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    response = api_for(cast.operator_a).get(f"/api/v1/persons/{person_a.pk}/consents/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["purpose"], row["sections"], row["is_active"]) == (consent.pk, "sharing", ["contacts"], True)
    assert api_for(cast.operator_b).get(f"/api/v1/persons/{person_a.pk}/consents/").status_code == 200
    assert api_for(cast.coordinator_b).get("/api/v1/persons/1234567/consents/").status_code == 404


def test_consents_of_another_organisations_person_are_a_404(cast, person_a, api_for):
    response = api_for(cast.operator_b).get(f"/api/v1/persons/{person_a.pk}/consents/")
    assert response.status_code == 404


def test_merged_record_is_a_404(cast, person_a, api_for):
    merged = make_person(registered_by=cast.org_a, merged_into=person_a)
    assert api_for(cast.operator_a).get(f"/api/v1/persons/{merged.pk}/").status_code == 404
