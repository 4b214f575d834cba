"""Bad input is a 400 with a message, never a 500, and nothing is saved."""

import json

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from cases.models import Case, Referral
from people.models import Consent, Person

GOOD_PERSON = {
    "fiscal_code": "RSSMRA80A41F205X",
    "first_name": "Maria",
    "last_name": "Rossa",
    "sex": "F",
    "birth_date": "1980-01-01",
    "birth_place": "Milano",
}


def nothing_saved(before):
    return (Person.objects.count(), Consent.objects.count(), Case.objects.count(), Referral.objects.count()) == before


@pytest.fixture
def counts(person_a):
    return Person.objects.count(), Consent.objects.count(), Case.objects.count(), Referral.objects.count()


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("{not json", "application/json"),
        ('{"first_name": "Maria",}', "application/json"),
        ('{"first_name": NaN}', "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        (b"\xff\xfe\xfa", "application/json"),
        ("first_name=Maria", "application/x-www-form-urlencoded"),
        ("[]", "application/json"),
        ('"a string"', "application/json"),
    ],
    ids=["broken", "trailing-comma", "nan", "deep-nesting", "not-utf8", "form", "array", "string"],
)
def test_malformed_bodies_are_400(cast, api_for, counts, body, content_type):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.generic("POST", "/api/v1/persons/", body, content_type=content_type)
    assert response.status_code in (400, 415)
    assert response.json()
    assert nothing_saved(counts)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_oversized_body_is_400(cast, api_for, counts):
    api = api_for(cast.operator_a)
    body = json.dumps({**GOOD_PERSON, "work_history": "x" * 20_000})
    with api.sending_invalid_requests():
        response = api.generic("POST", "/api/v1/persons/", body, content_type="application/json")
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
    assert nothing_saved(counts)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"sex": "X"}, "sex"),
        ({"birth_date": "1980-02-30"}, "birth_date"),
        ({"birth_date": "yesterday"}, "birth_date"),
        ({"birth_date": 19800101}, "birth_date"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "M" * 101}, "first_name"),
        ({"first_name": "Ma\x00ria"}, "first_name"),
        ({"first_name": ["Maria"]}, "first_name"),
        ({"education": "phd"}, "education"),
        ({"residence_municipio": 10}, "residence_municipio"),
        ({"civil_invalidity_percent": 140}, "civil_invalidity_percent"),
        ({"email": "not-an-email"}, "email"),
        ({"organisation": 999999}, "organisation"),
        ({"organisation": "abc"}, "organisation"),
        ({"organisation": 10**30}, "organisation"),
        ({"law68_registered": "perhaps"}, "law68_registered"),
        ({"diagnosis_group": "F20-F29"}, "diagnosis_group"),  # an operator is not a clinician
    ],
)
def test_person_create_field_errors(cast, api_for, counts, change, field):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post("/api/v1/persons/", {**GOOD_PERSON, **change})
    assert response.status_code == 400
    assert field in response.json()
    assert nothing_saved(counts)


def test_missing_fields_are_each_named(cast, api_for, counts):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post("/api/v1/persons/", {})
    assert response.status_code == 400
    assert {"fiscal_code", "first_name", "last_name", "sex", "birth_date", "birth_place"} <= set(response.json())


@pytest.mark.parametrize("url_name", ["consents", "cases", "referrals"])
def test_empty_bodies_on_other_creates_are_400(cast, person_a, api_for, counts, url_name):
    url = {
        "consents": f"/api/v1/persons/{person_a.pk}/consents/",
        "cases": "/api/v1/cases/",
        "referrals": "/api/v1/referrals/",
    }[url_name]
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post(url, {})
    assert response.status_code == 400
    assert response.json()
    assert nothing_saved(counts)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "company_referent", "sysadmin", "dpo", "peer_a"])
def test_roles_that_do_not_write_get_403_on_every_write(cast, person_a, api_for, counts, role):
    api = api_for(getattr(cast, role))
    case = Case.objects.get(person=person_a)
    attempts = [
        ("post", "/api/v1/persons/", GOOD_PERSON),
        ("patch", f"/api/v1/persons/{person_a.pk}/", {"version": 1, "phone": "02 1234"}),
        ("post", f"/api/v1/persons/{person_a.pk}/consents/", {}),
        ("post", "/api/v1/consents/1/withdraw/", {}),
        ("post", "/api/v1/cases/", {}),
        ("post", f"/api/v1/cases/{case.pk}/close/", {}),
        ("post", "/api/v1/referrals/", {}),
        ("post", "/api/v1/referrals/1/accept/", {}),
        ("post", "/api/v1/referrals/1/reject/", {}),
        ("post", "/api/v1/referrals/1/withdraw/", {}),
    ]
    with api.sending_invalid_requests():
        for method, url, body in attempts:
            response = getattr(api, method)(url, body)
            assert response.status_code == 403, url
    assert nothing_saved(counts)
