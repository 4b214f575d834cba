"""Registering and changing persons through the API: the services do the work, the API maps the answers."""

import datetime

import pytest

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import fiscal_code_for, make_consent
from people.models import Person


def new_person(**extra):
    birth_date = datetime.date(1985, 3, 4)
    return {
        "fiscal_code": fiscal_code_for(last_name="Galbiati", first_name="Anna", sex="F", birth_date=birth_date),
        "first_name": "Anna",
        "last_name": "Galbiati",
        "sex": "F",
        "birth_date": birth_date.isoformat(),
        "birth_place": "Milano",
        **extra,
    }


def test_operator_registers_a_person(cast, api_for):
    response = api_for(cast.operator_a).post("/api/v1/persons/", new_person(phone="02 1234567", education="tertiary"))
    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.registered_by, person.phone, person.education) == (cast.org_a, "02 1234567", "tertiary")
    assert body["phone"] == "02 1234567"
    assert "diagnosis_group" not in body
    assert AuditEvent.objects.filter(action=Action.PERSON_CREATE, person=person).exists()


def test_clinician_registers_the_diagnosis_group(cast, api_for):
    response = api_for(cast.clinician_a).post("/api/v1/persons/", new_person(diagnosis_group="F30-F39"))
    assert response.status_code == 201
    assert response.json()["diagnosis_group"] == "F30-F39"


def test_duplicate_fiscal_code_is_a_400(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    assert api.post("/api/v1/persons/", new_person()).status_code == 201
    response = api.post("/api/v1/persons/", new_person())
    assert response.status_code == 400
    assert Person.objects.filter(last_name="Galbiati").count() == 1


def test_change_with_the_current_version(cast, person_a, api_for):
    response = api_for(cast.operator_a).patch(f"/api/v1/persons/{person_a.pk}/", {"version": 1, "phone": "02 7654"})
    assert response.status_code == 200
    person_a.refresh_from_db()
    assert person_a.phone == "02 7654"
    assert response.json()["version"] == person_a.version > 1
    assert AuditEvent.objects.filter(action=Action.PERSON_UPDATE, person=person_a).exists()


def test_stale_version_is_a_409_with_the_current_version(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    assert api.patch(f"/api/v1/persons/{person_a.pk}/", {"version": 1, "phone": "02 1"}).status_code == 200
    response = api_for(cast.coordinator_a).patch(f"/api/v1/persons/{person_a.pk}/", {"version": 1, "phone": "02 2"})
    assert response.status_code == 409
    body = response.json()
    person_a.refresh_from_db()
    assert body["version"] == person_a.version
    assert isinstance(body["changed"], list)
    assert person_a.phone == "02 1"


def test_version_is_required(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.patch(f"/api/v1/persons/{person_a.pk}/", {"phone": "02 1"})
    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"version": "one"}, "version"),
        ({"version": 1, "birth_date": "1980-13-01"}, "birth_date"),
        ({"version": 1, "sex": "?"}, "sex"),
        ({"version": 1, "residence_municipio": "zero"}, "residence_municipio"),
    ],
)
def test_bad_changes_are_400(cast, person_a, api_for, change, field):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.patch(f"/api/v1/persons/{person_a.pk}/", change)
    assert response.status_code == 400
    assert field in response.json()
    person_a.refresh_from_db()
    assert person_a.version == 1


def test_a_field_of_a_hidden_section_cannot_be_changed(cast, person_a, api_for):
    response = api_for(cast.operator_a).patch(
        f"/api/v1/persons/{person_a.pk}/", {"version": 1, "diagnosis_group": "F99"}
    )
    assert response.status_code == 400
    assert "diagnosis_group" in response.json()
    person_a.refresh_from_db()
    assert person_a.diagnosis_group == "F20-F29"


def test_other_organisation_cannot_change_even_with_a_sharing_consent(cast, person_a, api_for):
    api = api_for(cast.operator_b)
    assert api.patch(f"/api/v1/persons/{person_a.pk}/", {"version": 1, "phone": "1"}).status_code == 404
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    assert api.get(f"/api/v1/persons/{person_a.pk}/").status_code == 200
    assert api.patch(f"/api/v1/persons/{person_a.pk}/", {"version": 1, "phone": "1"}).status_code == 404
    person_a.refresh_from_db()
    assert person_a.phone == ""
