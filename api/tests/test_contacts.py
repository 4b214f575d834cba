"""The contact log and the due next steps through the API: scouting staff only, audited writes, 400s save nothing."""

import datetime

import pytest
from django.utils import timezone

from api.tests.arrange import queries_of
from audit.choices import Action
from audit.models import AuditEvent
from opportunities.models import EmployerContact
from opportunities.tests.conftest import employer, make_contact  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_a_scout_records_a_contact_with_its_next_step(cast, employer, api_for):  # noqa: F811
    older = make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=days(-20), next_step="Call back", next_step_on=days(2)
    )
    api = api_for(cast.operator_a)
    response = api.post(
        f"/api/v1/employers/{employer.pk}/contacts/",
        {
            "contacted_on": days(-1).isoformat(),
            "channel": "visit",
            "discussed": "Magazzino: due posti part-time",
            "outcome": "needs",
            "next_step": "Send two profiles",
            "next_step_on": days(5).isoformat(),
        },
    )
    assert response.status_code == 201
    body = response.json()
    contact = EmployerContact.objects.get(pk=body["id"])
    assert (contact.operator, contact.organisation, contact.next_step_on) == (cast.operator_a, cast.org_a, days(5))
    assert body["operator_name"] == "Olga Operatrice" and body["employer_name"] == employer.organisation.name
    # The new contact completes the operator's own pending step with this employer.
    older.refresh_from_db()
    assert older.next_step_done_on == days(-1)
    event = AuditEvent.objects.get(action=Action.EMPLOYER_CONTACT, object_id=str(contact.pk))
    assert event.detail == {"employer": employer.pk, "channel": "visit", "outcome": "needs", "closed_next_steps": 1}

    log = api_for(cast.operator_b).get(f"/api/v1/employers/{employer.pk}/contacts/").json()
    assert [row["id"] for row in log["results"]] == [contact.pk, older.pk]


def test_keeping_the_open_steps_and_today_by_default(cast, employer, api_for):  # noqa: F811
    older = make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=days(-9), next_step="Call", next_step_on=days(1)
    )
    response = api_for(cast.operator_a).post(
        f"/api/v1/employers/{employer.pk}/contacts/",
        {"channel": "phone", "discussed": "Nessuna risposta", "outcome": "no_answer", "closes_pending": False},
    )
    assert response.status_code == 201 and response.json()["contacted_on"] == timezone.localdate().isoformat()
    older.refresh_from_db()
    assert older.next_step_done_on is None


def test_the_company_never_reads_the_contact_log(cast, employer, api_for):  # noqa: F811
    make_contact(employer=employer, operator=cast.operator_a)
    api = api_for(cast.company_referent)
    assert api.get(f"/api/v1/employers/{employer.pk}/").status_code == 200
    assert api.get(f"/api/v1/employers/{employer.pk}/contacts/").status_code == 404
    posted = api.post(
        f"/api/v1/employers/{employer.pk}/contacts/", {"channel": "phone", "discussed": "x", "outcome": "informed"}
    )
    assert posted.status_code == 404
    assert EmployerContact.objects.count() == 1


@pytest.mark.parametrize("who", ["clinician_a", "peer_a", "analyst", "dpo"])
def test_roles_outside_scouting_may_not_log_contacts(cast, employer, api_for, who):  # noqa: F811
    api = api_for(getattr(cast, who))
    assert api.get(f"/api/v1/employers/{employer.pk}/contacts/").status_code == 404
    posted = api.post(
        f"/api/v1/employers/{employer.pk}/contacts/", {"channel": "phone", "discussed": "x", "outcome": "informed"}
    )
    assert posted.status_code == 403
    assert not EmployerContact.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"contacted_on": "2999-01-01"}, "contacted_on"),
        ({"contacted_on": "31/12/2025"}, "contacted_on"),
        ({"next_step_on": "2026-01-01", "next_step": ""}, "next_step"),
        ({"contacted_on": "2026-06-10", "next_step": "Call", "next_step_on": "2026-06-01"}, "next_step_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"outcome": "maybe"}, "outcome"),
        ({"discussed": ""}, "discussed"),
    ],
)
def test_bad_contacts_are_a_400_and_nothing_is_saved(cast, employer, api_for, change, field):  # noqa: F811
    api = api_for(cast.operator_a)
    body = {"channel": "phone", "discussed": "Presentazione", "outcome": "informed", **change}
    with api.sending_invalid_requests():
        response = api.post(f"/api/v1/employers/{employer.pk}/contacts/", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not EmployerContact.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.EMPLOYER_CONTACT).exists()


def test_the_due_next_steps_are_the_users_own_within_two_weeks(cast, employer, api_for):  # noqa: F811
    overdue = make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=days(-10), next_step="A", next_step_on=days(-1)
    )
    today = make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=days(-5), next_step="B", next_step_on=days(0)
    )
    coming = make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=days(-3), next_step="C", next_step_on=days(14)
    )
    make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=days(-3), next_step="D", next_step_on=days(15)
    )
    make_contact(
        employer=employer, operator=cast.operator_b, contacted_on=days(-3), next_step="E", next_step_on=days(1)
    )
    rows = api_for(cast.operator_a).get("/api/v1/next-steps/").json()["results"]
    assert [(row["id"], row["due"]) for row in rows] == [
        (overdue.pk, "overdue"),
        (today.pk, "today"),
        (coming.pk, "coming"),
    ]
    assert api_for(cast.company_referent).get("/api/v1/next-steps/").json()["count"] == 0


def test_marking_a_next_step_done(cast, employer, api_for):  # noqa: F811
    own = make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=days(-3), next_step="Call", next_step_on=days(1)
    )
    # Another organisation's operator finds no such step; a peer expert's role writes nothing.
    assert api_for(cast.operator_b).post(f"/api/v1/next-steps/{own.pk}/done/").status_code == 404
    assert api_for(cast.peer_a).post(f"/api/v1/next-steps/{own.pk}/done/").status_code == 403
    own.refresh_from_db()
    assert own.next_step_done_on is None
    # The operator's coordinator may mark it done on their behalf.
    response = api_for(cast.coordinator_a).post(f"/api/v1/next-steps/{own.pk}/done/")
    assert response.status_code == 200 and response.json()["next_step_done_on"] == timezone.localdate().isoformat()
    assert AuditEvent.objects.filter(action=Action.EMPLOYER_CONTACT, object_id=str(own.pk)).exists()
    assert api_for(cast.operator_a).get("/api/v1/next-steps/").json()["count"] == 0

    no_step = make_contact(employer=employer, operator=cast.operator_a)
    assert api_for(cast.operator_a).post(f"/api/v1/next-steps/{no_step.pk}/done/").status_code == 400


def test_contact_lists_run_the_same_queries_for_many_rows(cast, employer, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    urls = [f"/api/v1/employers/{employer.pk}/contacts/", "/api/v1/next-steps/"]

    def add(n):
        for _ in range(n):
            make_contact(
                employer=employer, operator=cast.operator_a, contacted_on=days(-2), next_step="x", next_step_on=days(3)
            )

    add(1)
    few = {url: queries_of(lambda url=url: api.get(url)) for url in urls}
    add(5)
    many = {url: queries_of(lambda url=url: api.get(url)) for url in urls}
    assert few == many
    assert api.get("/api/v1/next-steps/").json()["count"] == 6
