"""Opening and closing cases; sending, accepting, rejecting and withdrawing referrals."""

import datetime

import pytest

from accounts.models import Unit
from api.tests.arrange import make_referral
from audit.choices import Action
from audit.models import AuditEvent
from cases.models import Case, Referral
from core.testing.cast import make_consent, make_person


def test_open_and_close_a_case(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    opened = api.post("/api/v1/cases/", {"person": person_a.pk, "unit": cast.cps_a.pk, "area": "housing"})
    assert opened.status_code == 201
    case = Case.objects.get(pk=opened.json()["id"])
    assert (case.person, case.unit, case.area, case.status) == (person_a, cast.cps_a, "housing", "open")
    assert AuditEvent.objects.filter(action=Action.CASE_OPEN, person=person_a).exists()

    closed = api.post(
        f"/api/v1/cases/{case.pk}/close/",
        {"closed_on": datetime.date.today().isoformat(), "closing_reason": "goals_met", "version": case.version},
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    case.refresh_from_db()
    assert (case.status, case.closing_reason) == ("closed", "goals_met")


def test_close_with_a_stale_version_is_a_409(cast, person_a, api_for):
    case = Case.objects.get(person=person_a)
    case.version = 3
    case.save()
    response = api_for(cast.operator_a).post(
        f"/api/v1/cases/{case.pk}/close/", {"closed_on": "2025-06-01", "closing_reason": "moved", "version": 2}
    )
    assert response.status_code == 409
    assert response.json()["version"] == 3
    case.refresh_from_db()
    assert case.closed_on is None


def test_other_organisation_cannot_open_or_close(cast, person_a, api_for):
    case = Case.objects.get(person=person_a)
    api = api_for(cast.operator_b)
    close = api.post(f"/api/v1/cases/{case.pk}/close/", {"closed_on": "2025-06-01", "closing_reason": "moved"})
    missing = api.post("/api/v1/cases/987654/close/", {"closed_on": "2025-06-01", "closing_reason": "moved"})
    assert close.status_code == missing.status_code == 404
    assert close.json() == missing.json()
    with api.sending_invalid_requests():
        opened = api.post("/api/v1/cases/", {"person": person_a.pk, "unit": cast.unit_b.pk, "area": "work"})
    # A person out of reach is an unknown id, like a missing one.
    assert opened.status_code == 400 and "person" in opened.json()
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.closed_on is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"closed_on": "2025-06-31", "closing_reason": "moved"}, "closed_on"),
        ({"closed_on": "2025-06-01", "closing_reason": "bored"}, "closing_reason"),
        ({"closed_on": "2025-06-01"}, "closing_reason"),
        ({"closed_on": "2025-06-01", "closing_reason": "moved", "version": -1}, "version"),
    ],
)
def test_bad_close_input_is_400(cast, person_a, api_for, body, field):
    case = Case.objects.get(person=person_a)
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post(f"/api/v1/cases/{case.pk}/close/", body)
    assert response.status_code == 400 and field in response.json()
    case.refresh_from_db()
    assert case.closed_on is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"area": "space"}, "area"),
        ({"unit": 987654}, "unit"),
        ({"opened_on": "01/02/2025"}, "opened_on"),
        ({"case_manager": 987654}, "case_manager"),
        ({"person": "me"}, "person"),
    ],
)
def test_bad_open_input_is_400(cast, person_a, api_for, change, field):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post("/api/v1/cases/", {"person": person_a.pk, "unit": cast.cps_a.pk, "area": "work", **change})
    assert response.status_code == 400 and field in response.json()
    assert Case.objects.count() == 1


def test_send_and_accept_a_referral(cast, person_a, api_for):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    sent = api_for(cast.operator_a).post(
        "/api/v1/referrals/",
        {
            "person": person_a.pk,
            "from_unit": cast.unit_a.pk,
            "to_unit": cast.unit_b.pk,
            "area": "work",
            "reason": "Ready for an internship.",
        },
    )
    assert sent.status_code == 201
    referral = Referral.objects.get(pk=sent.json()["id"])
    assert (referral.status, referral.to_organisation) == ("sent", cast.org_b)

    accepted = api_for(cast.operator_b).post(f"/api/v1/referrals/{referral.pk}/accept/", {})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    case = Case.objects.get(pk=accepted.json()["case"])
    assert (case.organisation, case.person) == (cast.org_b, person_a)
    assert AuditEvent.objects.filter(action=Action.REFERRAL_ACCEPT, person=person_a).exists()


def test_reject_needs_a_reason(cast, person_a, api_for):
    referral = make_referral(person=person_a, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)
    api = api_for(cast.operator_b)
    with api.sending_invalid_requests():
        response = api.post(f"/api/v1/referrals/{referral.pk}/reject/", {})
    assert response.status_code == 400 and "reason" in response.json()
    rejected = api.post(f"/api/v1/referrals/{referral.pk}/reject/", {"reason": "No places until June."})
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "No places until June.")


def test_sender_withdraws(cast, person_a, api_for):
    referral = make_referral(person=person_a, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)
    response = api_for(cast.operator_a).post(f"/api/v1/referrals/{referral.pk}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    referral.refresh_from_db()
    assert referral.withdrawn_at is not None


def test_referral_of_other_organisations_is_a_404_for_every_action(cast, api_for):
    person_b = make_person(registered_by=cast.org_b)
    other_unit = Unit.objects.create(organisation=cast.org_b, name="CPS Niguarda", kind="cps")
    referral = make_referral(person=person_b, from_unit=other_unit, to_unit=cast.unit_b, sent_by=cast.operator_b)
    api = api_for(cast.operator_a)
    for verb, body in (("accept", {}), ("reject", {"reason": "no"}), ("withdraw", {})):
        hidden = api.post(f"/api/v1/referrals/{referral.pk}/{verb}/", body)
        missing = api.post(f"/api/v1/referrals/987654/{verb}/", body)
        assert hidden.status_code == missing.status_code == 404, verb
        assert hidden.json() == missing.json()
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"area": "moon"}, "area"),
        ({"to_unit": 987654}, "to_unit"),
        ({"reason": ""}, "reason"),
        ({"person": 987654}, "person"),
    ],
)
def test_bad_referral_input_is_400(cast, person_a, api_for, change, field):
    api = api_for(cast.operator_a)
    good = {
        "person": person_a.pk,
        "from_unit": cast.unit_a.pk,
        "to_unit": cast.unit_b.pk,
        "area": "work",
        "reason": "Ready.",
    }
    with api.sending_invalid_requests():
        response = api.post("/api/v1/referrals/", {**good, **change})
    assert response.status_code == 400 and field in response.json()
    assert Referral.objects.count() == 0
