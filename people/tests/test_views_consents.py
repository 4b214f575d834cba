"""Recording and withdrawing consents through the record's pages."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_consent
from people.models import Consent


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, so that assertions on wording do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_record_a_sharing_consent_opens_the_record_to_the_other_organisation(cast, person_a, client_for):
    detail = reverse("people:detail", args=[person_a.pk])
    client = client_for(cast.operator_a)
    assert client.get(reverse("people:consent_add", args=[person_a.pk])).status_code == 200
    response = client.post(
        reverse("people:consent_add", args=[person_a.pk]),
        {
            "purpose": "sharing",
            "organisation": cast.org_b.pk,
            "sections": ["contacts"],
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302 and response.url == detail
    consent = Consent.objects.get()
    assert (consent.organisation, consent.sections) == (cast.org_b, ["contacts"])
    assert AuditEvent.objects.filter(action=Action.CONSENT_GIVE, person_id=person_a.pk).exists()
    assert client_for(cast.operator_b).get(detail).status_code == 200


def test_service_refusals_are_form_errors(cast, person_a, client_for):
    client = client_for(cast.operator_a)
    url = reverse("people:consent_add", args=[person_a.pk])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    cases = [
        ({"purpose": "sharing", "organisation": cast.org_b.pk, "given_on": tomorrow}, "given_on"),
        (
            {"purpose": "care", "organisation": cast.org_a.pk, "given_on": "2025-01-01", "sections": ["contacts"]},
            "sections",
        ),
        ({"purpose": "sharing", "organisation": cast.org_a.pk, "given_on": "2025-01-01"}, "organisation"),
        ({"purpose": "nope", "organisation": cast.org_b.pk, "given_on": "2025-01-01"}, "purpose"),
        ({"purpose": "sharing", "organisation": 999999, "given_on": "2025-02-30"}, "given_on"),
        (
            {"purpose": "sharing", "organisation": cast.org_b.pk, "given_on": "2025-01-01", "sections": ["clinical"]},
            "sections",
        ),
    ]
    for data, field in cases:
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert not Consent.objects.exists()


def test_withdrawing_through_the_page_removes_the_other_organisations_access_at_once(cast, person_a, client_for):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    detail = reverse("people:detail", args=[person_a.pk])
    from django.test import Client

    other = Client()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    other.force_login(cast.operator_b)
    assert other.get(detail).status_code == 200

    client = client_for(cast.operator_a)
    page = client.get(detail).content.decode()
    withdraw_url = reverse("people:consent_withdraw", args=[person_a.pk, consent.pk])
    assert withdraw_url in page
    assert client.get(withdraw_url).status_code == 200  # the confirmation step
    # Without the confirmation nothing happens.
    response = client.post(withdraw_url, {"withdrawn_on": timezone.localdate().isoformat()})
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    assert other.get(detail).status_code == 200

    response = client.post(withdraw_url, {"withdrawn_on": timezone.localdate().isoformat(), "confirm": "on"})
    assert response.status_code == 302 and response.url == detail
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    assert AuditEvent.objects.filter(action=Action.CONSENT_WITHDRAW, person_id=person_a.pk).exists()
    assert other.get(detail).status_code == 404


def test_withdrawal_dates_are_checked(cast, person_a, client_for):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    client = client_for(cast.operator_a)
    url = reverse("people:consent_withdraw", args=[person_a.pk, consent.pk])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for date in (tomorrow, "2020-01-01", "2025-13-40", ""):
        response = client.post(url, {"withdrawn_on": date, "confirm": "on"})
        assert response.status_code == 200
        assert "withdrawn_on" in response.context["form"].errors
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_consent_of_another_person_is_missing(cast, person_a, client_for):
    from core.testing.cast import make_person

    other = make_person(registered_by=cast.org_a)
    consent = make_consent(person=other, organisation=cast.org_b, recorded_by=cast.operator_a)
    response = client_for(cast.operator_a).post(
        reverse("people:consent_withdraw", args=[person_a.pk, consent.pk]),
        {"withdrawn_on": timezone.localdate().isoformat(), "confirm": "on"},
    )
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_consents_table_shows_status_and_sections(cast, person_a, client_for):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    make_consent(
        person=person_a,
        organisation=cast.company,
        recorded_by=cast.operator_a,
        purpose="company_contact",
        withdrawn_on=datetime.date(2025, 2, 1),
    )
    body = client_for(cast.coordinator_a).get(reverse("people:detail", args=[person_a.pk])).content.decode()
    assert "Contacts and residence" in body
    assert "In force" in body and "Withdrawn" in body and "01/02/2025" in body
    # Only the consent still in force can be withdrawn.
    assert body.count("/withdraw/") == 1
