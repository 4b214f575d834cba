"""Adding and changing employer profiles through the API: scouting staff, the company's own referent, 403/404/409."""

import pytest

from accounts.models import Organisation
from audit.choices import Action
from audit.models import AuditEvent
from opportunities.models import EmployerProfile
from opportunities.tests.conftest import employer, other_employer, other_referent  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_scout_adds_a_new_employer_and_its_quota_follows(cast, api_for):
    response = api_for(cast.operator_a).post(
        "/api/v1/employers/",
        {"name": "Esempio Pulizie S.r.l.", "kind": "company", "employees": 64, "ateco_division": "81", "municipio": 4},
    )
    assert response.status_code == 201
    body = response.json()
    profile = EmployerProfile.objects.get(pk=body["id"])
    assert profile.organisation.name == "Esempio Pulizie S.r.l." and profile.ateco_section == "N"
    # 7% of 64 = 4.48: a quota of 4, none covered.
    assert (body["law68_quota"], body["law68_open"], body["version"]) == (4, 4, 1)
    event = AuditEvent.objects.get(action=Action.EMPLOYER_SAVE, object_id=str(profile.pk))
    assert event.detail["created"] is True and "employees" in event.detail["fields"]


def test_a_scout_gives_a_profile_to_an_organisation_of_the_network(cast, api_for):
    coop = Organisation.objects.create(name="Cooperativa Esempio", kind="social_coop")
    response = api_for(cast.coordinator_a).post(
        "/api/v1/employers/", {"organisation": coop.pk, "employees": 40, "social_coop_type": "B"}
    )
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["social_coop_type"], response.json()["law68_quota"]) == (
        "Cooperativa Esempio",
        "B",
        2,
    )


@pytest.mark.parametrize("who", ["company_referent", "clinician_a", "peer_a", "analyst", "sysadmin"])
def test_only_scouting_staff_add_employers(cast, api_for, who):
    response = api_for(getattr(cast, who)).post(
        "/api/v1/employers/", {"name": "Esempio Nuova S.p.A.", "kind": "company", "employees": 10}
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Esempio Nuova S.p.A.").exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Esempio X", "kind": "company", "employees": 10, "computable_employees": 11}, "computable_employees"),
        ({"name": "Esempio X", "kind": "company", "employees": 10, "ateco_division": "04"}, "ateco_division"),
        ({"name": "Esempio X", "kind": "company", "employees": -1}, "employees"),
        ({"name": "Esempio X", "kind": "asst", "employees": 10}, "kind"),
        ({"name": "Esempio X", "employees": 10}, "kind"),
        ({"name": "", "kind": "company", "employees": 10}, "name"),
        ({"name": "Esempio Logistica S.p.A.", "kind": "company", "employees": 10}, "name"),
        ({"name": "Esempio X", "kind": "company", "employees": 10, "municipio": 12}, "municipio"),
        ({"name": "Esempio X", "kind": "company", "employees": 10, "email": "not an email"}, "email"),
        ({"name": "Esempio X", "kind": "company"}, "employees"),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_saved(cast, api_for, body, field):
    organisations = Organisation.objects.count()
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post("/api/v1/employers/", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Organisation.objects.count() == organisations and not EmployerProfile.objects.exists()


def test_an_organisation_that_already_has_a_profile_is_refused(cast, employer, api_for):  # noqa: F811
    response = api_for(cast.operator_a).post("/api/v1/employers/", {"organisation": cast.company.pk, "employees": 5})
    assert response.status_code == 400 and "name" in response.json()
    assert EmployerProfile.objects.count() == 1


def test_a_scout_changes_a_profile_quoting_the_version(cast, employer, api_for):  # noqa: F811
    api = api_for(cast.operator_b)  # another territory's scout: employers are shared by the network
    response = api.patch(f"/api/v1/employers/{employer.pk}/", {"version": 1, "law68_covered": 8, "phone": "02 555"})
    assert response.status_code == 200
    assert (response.json()["law68_open"], response.json()["version"]) == (0, 2)
    employer.refresh_from_db()
    assert (employer.law68_covered, employer.phone, employer.version) == (8, "02 555", 2)
    event = AuditEvent.objects.get(action=Action.EMPLOYER_SAVE, object_id=str(employer.pk))
    assert event.detail == {"created": False, "fields": ["law68_covered", "phone"], "version": 2}

    stale = api.patch(f"/api/v1/employers/{employer.pk}/", {"version": 1, "phone": "02 666"})
    assert stale.status_code == 409 and stale.json()["version"] == 2
    employer.refresh_from_db()
    assert employer.phone == "02 555"


def test_the_company_referent_changes_their_own_profile_only(
    cast,
    employer,  # noqa: F811
    other_employer,  # noqa: F811
    api_for,
):
    api = api_for(cast.company_referent)
    assert api.patch(f"/api/v1/employers/{employer.pk}/", {"version": 1, "needs": "Carrellisti"}).status_code == 200
    other = api.patch(f"/api/v1/employers/{other_employer.pk}/", {"version": 1, "needs": "Nulla"})
    missing = api.patch("/api/v1/employers/987654/", {"version": 1, "needs": "Nulla"})
    assert other.status_code == missing.status_code == 404 and other.json() == missing.json()
    other_employer.refresh_from_db()
    assert other_employer.needs == "" and other_employer.version == 1
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_id=str(other_employer.pk)).exists()


@pytest.mark.parametrize("who", ["clinician_a", "peer_a", "analyst", "dpo"])
def test_roles_without_a_part_in_scouting_may_not_change_a_profile(cast, employer, api_for, who):  # noqa: F811
    response = api_for(getattr(cast, who)).patch(f"/api/v1/employers/{employer.pk}/", {"version": 1, "employees": 9})
    assert response.status_code == 403
    employer.refresh_from_db()
    assert employer.employees == 120


@pytest.mark.parametrize(
    "body, field",
    [
        ({"version": 1, "computable_employees": 500}, "computable_employees"),
        ({"version": 1, "website": "not a url"}, "website"),
        ({"version": 1, "social_coop_type": "C"}, "social_coop_type"),
        ({"employees": 30}, "version"),
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(cast, employer, api_for, body, field):  # noqa: F811
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.patch(f"/api/v1/employers/{employer.pk}/", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    employer.refresh_from_db()
    assert (employer.employees, employer.computable_employees, employer.version) == (120, None, 1)


def test_error_messages_follow_accept_language(cast, employer, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    body = {"version": 1, "computable_employees": 500}
    english = api.patch(f"/api/v1/employers/{employer.pk}/", body, HTTP_ACCEPT_LANGUAGE="en")
    italian = api.patch(f"/api/v1/employers/{employer.pk}/", body, HTTP_ACCEPT_LANGUAGE="it")
    assert english.json()["computable_employees"] == ["The computable employees cannot exceed the headcount."]
    assert italian.status_code == 400
    assert italian.json()["computable_employees"] != english.json()["computable_employees"]
