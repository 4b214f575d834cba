"""Recording and withdrawing consents through the API; withdrawal closes access at once."""

import datetime

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_consent
from people.models import Consent


def test_treating_team_records_a_sharing_consent_that_opens_the_record(cast, person_a, api_for):
    assert api_for(cast.operator_b).get(f"/api/v1/persons/{person_a.pk}/").status_code == 404
    response = api_for(cast.operator_a).post(
        f"/api/v1/persons/{person_a.pk}/consents/",
        {
            "purpose": "sharing",
            "organisation": cast.org_b.pk,
            "given_on": datetime.date.today().isoformat(),
            "sections": ["contacts"],
        },
    )
    assert response.status_code == 201
    consent = Consent.objects.get(pk=response.json()["id"])
    assert (consent.person, consent.organisation, consent.sections) == (person_a, cast.org_b, ["contacts"])
    assert AuditEvent.objects.filter(action=Action.CONSENT_GIVE, person=person_a).exists()
    body = api_for(cast.operator_b).get(f"/api/v1/persons/{person_a.pk}/").json()
    assert body["visible_sections"] == ["contacts", "identity"]


def test_withdrawal_through_the_api_removes_access(cast, person_a, api_for):
    consent = make_consent(
        person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts", "social"]
    )
    reader = api_for(cast.operator_b)
    assert reader.get(f"/api/v1/persons/{person_a.pk}/").status_code == 200
    assert reader.get("/api/v1/persons/").json()["count"] == 1

    response = api_for(cast.operator_a).post(f"/api/v1/consents/{consent.pk}/withdraw/", {})
    assert response.status_code == 200
    assert response.json()["withdrawn_on"] is not None
    assert response.json()["is_active"] is False
    assert AuditEvent.objects.filter(action=Action.CONSENT_WITHDRAW, person=person_a).exists()

    assert reader.get(f"/api/v1/persons/{person_a.pk}/").status_code == 404
    assert reader.get("/api/v1/persons/").json()["count"] == 0
    assert reader.get(f"/api/v1/persons/{person_a.pk}/consents/").status_code == 404


def test_other_organisation_cannot_record_or_withdraw(cast, person_a, api_for):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    api = api_for(cast.operator_b)
    give = api.post(
        f"/api/v1/persons/{person_a.pk}/consents/",
        {"purpose": "statistics", "organisation": cast.org_b.pk, "given_on": "2025-02-01"},
    )
    assert give.status_code == 404
    withdraw = api.post(f"/api/v1/consents/{consent.pk}/withdraw/", {})
    missing = api.post("/api/v1/consents/987654/withdraw/", {})
    assert withdraw.status_code == missing.status_code == 404
    assert withdraw.json() == missing.json()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert Consent.objects.count() == 1


def test_bad_consent_input_is_400(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    url = f"/api/v1/persons/{person_a.pk}/consents/"
    good = {"purpose": "sharing", "organisation": cast.org_b.pk, "given_on": "2025-02-01"}
    cases = [
        ({"purpose": "marketing"}, "purpose"),
        ({"given_on": "2025-02-30"}, "given_on"),
        ({"organisation": 987654}, "organisation"),
        ({"sections": ["clinical"]}, "sections"),
        ({"sections": "contacts"}, "sections"),
        ({"note": "x" * 301}, "note"),
    ]
    with api.sending_invalid_requests():
        for change, field in cases:
            response = api.post(url, {**good, **change})
            assert response.status_code == 400, change
            assert field in response.json(), change
        consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
        bad_date = api.post(f"/api/v1/consents/{consent.pk}/withdraw/", {"withdrawn_on": "someday"})
    assert bad_date.status_code == 400 and "withdrawn_on" in bad_date.json()
    assert Consent.objects.filter(withdrawn_on__isnull=False).count() == 0
    assert Consent.objects.count() == 1
