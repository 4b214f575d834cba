"""Reading cases and referrals: restricted to the organisations involved, never clinical, audited."""

import pytest

from api.tests.arrange import all_keys, make_referral
from audit.choices import Action
from audit.models import AuditEvent
from cases.models import Case
from core.testing.cast import make_case, make_person
from people.services import consent_withdraw

NO_PERSON_ACCESS = ["analyst", "company_referent", "sysadmin", "dpo"]


def test_cases_list_and_detail_for_the_own_organisation(cast, person_a, api_for):
    case = Case.objects.get(person=person_a)
    make_case(person=make_person(registered_by=cast.org_b), unit=cast.unit_b)
    api = api_for(cast.operator_a)
    body = api.get("/api/v1/cases/").json()
    assert [row["id"] for row in body["results"]] == [case.pk]
    detail = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert (detail["person"], detail["unit"], detail["status"], detail["case_manager"]) == (
        person_a.pk,
        cast.unit_a.pk,
        "open",
        cast.operator_a.pk,
    )
    assert AuditEvent.objects.filter(action=Action.CASE_VIEW, person=person_a).count() == 1


def test_cases_filters(cast, person_a, api_for):
    make_case(person=person_a, unit=cast.cps_a, area="housing")
    api = api_for(cast.operator_a)
    assert [row["area"] for row in api.get("/api/v1/cases/", {"area": "housing"}).json()["results"]] == ["housing"]
    assert api.get("/api/v1/cases/", {"unit": cast.unit_a.pk}).json()["count"] == 1
    with api.sending_invalid_requests():
        response = api.get("/api/v1/cases/", {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()


def test_case_of_another_organisation_is_a_404(cast, person_a, api_for):
    case = Case.objects.get(person=person_a)
    api = api_for(cast.operator_b)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=cast.operator_b).count() == 1


@pytest.mark.parametrize("role", NO_PERSON_ACCESS)
def test_roles_without_person_access_see_no_case_or_referral(cast, person_a, api_for, role):
    referral = make_referral(person=person_a, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)
    case = Case.objects.get(person=person_a)
    api = api_for(getattr(cast, role))
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api.get("/api/v1/referrals/").json()["count"] == 0
    assert api.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


def test_referrals_by_direction(cast, person_a, api_for):
    out = make_referral(person=person_a, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)
    person_b = make_person(registered_by=cast.org_b)
    incoming = make_referral(person=person_b, from_unit=cast.unit_b, to_unit=cast.unit_a, sent_by=cast.operator_b)
    api = api_for(cast.operator_a)
    assert {row["id"] for row in api.get("/api/v1/referrals/").json()["results"]} == {out.pk, incoming.pk}
    inbox = api.get("/api/v1/referrals/", {"direction": "in"}).json()["results"]
    assert [(row["id"], row["direction"]) for row in inbox] == [(incoming.pk, "in")]
    outbox = api.get("/api/v1/referrals/", {"direction": "out", "status": "sent"}).json()["results"]
    assert [(row["id"], row["direction"]) for row in outbox] == [(out.pk, "out")]
    with api.sending_invalid_requests():
        response = api.get("/api/v1/referrals/", {"direction": "sideways"})
    assert response.status_code == 400 and "direction" in response.json()


def test_receiver_sees_the_referral_without_clinical_fields(cast, person_a, api_for):
    referral = make_referral(person=person_a, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)
    for user in (cast.operator_b, cast.clinician_b):
        api = api_for(user)
        detail = api.get(f"/api/v1/referrals/{referral.pk}/")
        assert detail.status_code == 200
        assert detail.json()["direction"] == "in"
        listing = api.get("/api/v1/referrals/").json()
        for body in (detail.json(), listing):
            assert "diagnosis_group" not in all_keys(body)
            assert "F20-F29" not in str(body)
    assert AuditEvent.objects.filter(action=Action.REFERRAL_VIEW, person=person_a).count() == 2


def test_the_person_name_goes_with_the_sharing_consent(cast, person_a, api_for):
    referral = make_referral(person=person_a, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)
    api = api_for(cast.operator_b)
    assert api.get(f"/api/v1/referrals/{referral.pk}/").json()["person_name"] == "Maria Rossi"
    consent_withdraw(actor=cast.operator_a, consent=referral.consent)
    # The receiver keeps the (now withdrawn) referral in its lists, but no longer learns whose it is.
    listing = api.get("/api/v1/referrals/").json()["results"]
    assert [(row["id"], row["status"], row["person_name"]) for row in listing] == [(referral.pk, "withdrawn", None)]
    assert "Rossi" not in str(listing)
    # The sender still treats the person and still sees the name.
    sent = api_for(cast.operator_a).get("/api/v1/referrals/").json()["results"]
    assert [row["person_name"] for row in sent] == ["Maria Rossi"]


def test_referral_between_other_units_is_a_404(cast, person_a, api_for):
    internal = make_referral(person=person_a, from_unit=cast.cps_a, to_unit=cast.unit_a, sent_by=cast.clinician_a)
    api = api_for(cast.operator_b)
    assert api.get(f"/api/v1/referrals/{internal.pk}/").status_code == 404
    assert api.get("/api/v1/referrals/").json()["count"] == 0


def test_filtering_by_a_hidden_person_answers_like_a_missing_one(cast, person_a, api_for):
    api = api_for(cast.operator_b)
    for url in ("/api/v1/cases/", "/api/v1/referrals/"):
        hidden = api.get(url, {"person": person_a.pk})
        missing = api.get(url, {"person": 987654})
        assert hidden.status_code == missing.status_code == 200
        assert hidden.json() == missing.json()
