"""The employer pages: who reaches them, what they show, and writes through them."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from opportunities.models import EmployerContact, EmployerProfile
from opportunities.tests.conftest import make_contact, make_employer

MISSING_PK = 999_999
TODAY = timezone.localdate
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
LIST_PAGES = ["opportunities:employer_list", "opportunities:scouting", "opportunities:next_steps"]
NOT_SCOUTS = ["clinician_a", "peer_a", "analyst", "company_referent", "sysadmin", "dpo"]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def same_page(response) -> str:
    return _CSRF.sub(r"\1", response.content.decode()).replace(response.wsgi_request.path, "PATH")


def rows(response) -> list[str]:
    return re.findall(r'data-testid="employer-row">\s*<th scope="row"><a [^>]+>([^<]+)</a>', response.content.decode())


# ---------------------------------------------------------------------------------------------- who reaches what


@pytest.mark.parametrize("name", [*LIST_PAGES, "opportunities:employer_create"])
@pytest.mark.parametrize("role", NOT_SCOUTS)
def test_roles_outside_scouting_find_no_list_page(cast, employer, client_for, name, role):
    response = client_for(getattr(cast, role)).get(reverse(name))
    assert response.status_code == 404
    assert "Esempio Logistica" not in response.content.decode()


@pytest.mark.parametrize("name", ["opportunities:employer_detail", "opportunities:employer_edit"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_companys_profile_is_the_missing_page_for_a_referent(
    cast, employer, other_employer, client_for, name, method
):
    client = client_for(cast.company_referent)
    hidden = getattr(client, method)(reverse(name, args=[other_employer.pk]))
    missing = getattr(client, method)(reverse(name, args=[MISSING_PK]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    assert AuditEvent.objects.filter(
        action=Action.ACCESS_DENIED, actor=cast.company_referent, object_id=str(other_employer.pk)
    ).exists()
    other_employer.refresh_from_db()
    assert other_employer.version == 1


@pytest.mark.parametrize("role", ["clinician_a", "peer_a", "analyst", "sysadmin", "dpo"])
def test_roles_outside_scouting_find_no_employer_page(cast, employer, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("opportunities:employer_detail", args=[employer.pk])).status_code == 404
    assert client.post(reverse("opportunities:contact_add", args=[employer.pk]), {}).status_code == 404


def test_a_referent_cannot_log_contacts_or_mark_steps(cast, employer, client_for):
    contact = make_contact(employer=employer, operator=cast.operator_a, next_step="x", next_step_on=TODAY())
    client = client_for(cast.company_referent)
    data = {"contacted_on": TODAY().isoformat(), "channel": "phone", "discussed": "x", "outcome": "informed"}
    assert client.post(reverse("opportunities:contact_add", args=[employer.pk]), data).status_code == 404
    assert client.post(reverse("opportunities:contact_done", args=[contact.pk])).status_code == 404
    assert EmployerContact.objects.count() == 1
    contact.refresh_from_db()
    assert contact.next_step_done_on is None


def test_an_operator_of_another_organisation_cannot_mark_a_colleagues_step(cast, employer, client_for):
    contact = make_contact(employer=employer, operator=cast.operator_a, next_step="x", next_step_on=TODAY())
    client = client_for(cast.operator_b)
    hidden = client.post(reverse("opportunities:contact_done", args=[contact.pk]))
    missing = client.post(reverse("opportunities:contact_done", args=[MISSING_PK]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    contact.refresh_from_db()
    assert contact.next_step_done_on is None


def test_anonymous_is_sent_to_sign_in(client, employer):
    assert client.get(reverse("opportunities:employer_detail", args=[employer.pk])).status_code == 302


# ---------------------------------------------------------------------------------------------- the employer page


def test_the_employer_page_shows_quota_profile_and_contact_log_to_scouts(cast, employer, client_for):
    make_contact(employer=employer, operator=cast.operator_a, discussed="Visita al magazzino di Rogoredo")
    response = client_for(cast.operator_b).get(reverse("opportunities:employer_detail", args=[employer.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="quota">8<', body)
    assert re.search(r'data-testid="covered">3<', body)
    assert re.search(r'data-testid="to-fill"><strong>5<', body)
    assert "Warehousing and support activities for transportation" in body
    assert "Magazzinieri part-time" in body
    assert "Visita al magazzino di Rogoredo" in body  # another territory's contact: shared scouting
    assert 'hx-post="/opportunities/employers/' in body


def test_the_company_referent_sees_the_profile_and_quota_but_not_the_contact_log(cast, employer, client_for):
    make_contact(employer=employer, operator=cast.operator_a, discussed="Nota riservata degli operatori")
    client = client_for(cast.company_referent)
    response = client.get(reverse("opportunities:employer_detail", args=[employer.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Magazzinieri part-time" in body and 'data-testid="quota">8<' in body
    assert "Nota riservata" not in body
    assert 'data-testid="employer-contacts"' not in body
    assert client.get(reverse("opportunities:my_employer")).url == reverse(
        "opportunities:employer_detail", args=[employer.pk]
    )


def test_my_employer_is_missing_for_users_without_a_profile(cast, client_for):
    assert client_for(cast.company_referent).get(reverse("opportunities:my_employer")).status_code == 404
    assert client_for(cast.operator_a).get(reverse("opportunities:my_employer")).status_code == 404


def test_the_referent_edits_their_profile_through_the_form(cast, employer, client_for):
    client = client_for(cast.company_referent)
    url = reverse("opportunities:employer_edit", args=[employer.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="social_coop_type"' not in form.content.decode()
    data = {"version": 1, "employees": 120, "computable_employees": 100, "law68_covered": 7, "ateco_division": "52"}
    response = client.post(url, data)
    assert response.status_code == 302
    employer.refresh_from_db()
    assert (employer.law68_quota, employer.law68_covered, employer.law68_open) == (7, 7, 0)
    assert AuditEvent.objects.filter(action=Action.EMPLOYER_SAVE, actor=cast.company_referent).exists()


def test_a_stale_edit_keeps_the_input_and_answers_409(cast, employer, client_for):
    client = client_for(cast.operator_a)
    url = reverse("opportunities:employer_edit", args=[employer.pk])
    client.post(url, {"version": 1, "employees": 120, "needs": "Primo"})
    response = client.post(url, {"version": 1, "employees": 120, "needs": "Secondo"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Secondo" in body and 'name="version" value="2"' in body
    employer.refresh_from_db()
    assert employer.needs == "Primo"


def test_form_errors_are_shown_on_their_fields(cast, employer, client_for):
    response = client_for(cast.operator_a).post(
        reverse("opportunities:employer_edit", args=[employer.pk]),
        {"version": 1, "employees": 10, "computable_employees": 20},
    )
    assert response.status_code == 200
    assert 'id="id_computable_employees_error"' in response.content.decode()


def test_a_scout_adds_an_employer_through_the_form(cast, client_for):
    client = client_for(cast.operator_a)
    response = client.post(
        reverse("opportunities:employer_create"),
        {"name": "Cooperativa Sole", "kind": "social_coop", "social_coop_type": "B", "employees": 36},
    )
    employer = EmployerProfile.objects.get(organisation__name="Cooperativa Sole")
    assert response.url == reverse("opportunities:employer_detail", args=[employer.pk])
    assert (employer.social_coop_type, employer.law68_quota) == ("B", 2)


# ---------------------------------------------------------------------------------------------- contacts inline


def test_logging_a_contact_with_htmx_returns_the_log_with_a_fresh_form(cast, employer, client_for):
    client = client_for(cast.operator_a)
    data = {
        "contacted_on": TODAY().isoformat(),
        "channel": "visit",
        "discussed": "Colloquio con il responsabile HR",
        "outcome": "needs",
        "next_step": "Inviare due profili",
        "next_step_on": (TODAY() + datetime.timedelta(days=7)).isoformat(),
    }
    response = client.post(reverse("opportunities:contact_add", args=[employer.pk]), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="employer-contacts"')
    assert "<html" not in body
    assert "Colloquio con il responsabile HR" in body
    assert 'name="discussed"' in body and "Colloquio con il responsabile HR</textarea>" not in body
    assert EmployerContact.objects.get().operator == cast.operator_a
    assert AuditEvent.objects.filter(action=Action.EMPLOYER_CONTACT).count() == 1


def test_an_invalid_contact_comes_back_with_its_errors(cast, employer, client_for):
    client = client_for(cast.operator_a)
    data = {"contacted_on": TODAY().isoformat(), "channel": "visit", "discussed": "", "outcome": "needs"}
    response = client.post(reverse("opportunities:contact_add", args=[employer.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert 'id="id_discussed_error"' in response.content.decode()
    assert not EmployerContact.objects.exists()


def test_logging_a_contact_without_htmx_redirects_to_the_page(cast, employer, client_for):
    data = {"contacted_on": TODAY().isoformat(), "channel": "email", "discussed": "Mail", "outcome": "informed"}
    response = client_for(cast.coordinator_b).post(reverse("opportunities:contact_add", args=[employer.pk]), data)
    assert response.status_code == 302


# ---------------------------------------------------------------------------------------------- lists


def test_list_search_and_filters(cast, employer, other_employer, client_for):
    make_employer(name="Bar Centrale", employees=5, ateco_division="56", municipio=1)
    client = client_for(cast.operator_a)
    url = reverse("opportunities:employer_list")
    assert rows(client.get(url)) == ["Bar Centrale", "Cooperativa sociale Il Ponte", "Esempio Logistica S.p.A."]
    assert rows(client.get(url, {"q": "ponte"})) == ["Cooperativa sociale Il Ponte"]
    assert rows(client.get(url, {"q": "magazzinieri"})) == ["Esempio Logistica S.p.A."]
    assert rows(client.get(url, {"sector": "I"})) == ["Bar Centrale"]
    assert rows(client.get(url, {"municipio": 9})) == ["Esempio Logistica S.p.A."]
    assert rows(client.get(url, {"kind": "social_coop"})) == ["Cooperativa sociale Il Ponte"]
    assert rows(client.get(url, {"open_quota": "on"})) == ["Cooperativa sociale Il Ponte", "Esempio Logistica S.p.A."]


def test_the_scouting_list_has_open_quotas_only_most_places_first_then_least_recently_contacted(
    cast, employer, other_employer, client_for
):
    make_employer(name="Piccola Bottega", employees=10)
    make_employer(name="Studio Associato", employees=30)  # 1 place, never contacted
    contacted = make_employer(name="Agenzia Alfa", employees=25)  # 1 place, contacted
    make_contact(employer=contacted, operator=cast.operator_b)
    response = client_for(cast.operator_a).get(reverse("opportunities:scouting"))
    assert rows(response) == [
        "Esempio Logistica S.p.A.",  # 5 to fill
        "Cooperativa sociale Il Ponte",  # 2
        "Studio Associato",  # 1, never contacted
        "Agenzia Alfa",  # 1, contacted
    ]


def test_list_htmx_request_gets_the_results_partial(cast, employer, client_for):
    response = client_for(cast.operator_a).get(
        reverse("opportunities:employer_list"), {"q": "Esempio"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="employer-results"')
    assert "<html" not in body and "Esempio Logistica" in body


def test_bad_list_parameters_are_harmless(cast, employer, client_for):
    client = client_for(cast.operator_a)
    for params in ({"page": "x"}, {"page_size": "7"}, {"municipio": "99"}, {"sector": "Z"}, {"q": "x" * 500}):
        assert client.get(reverse("opportunities:employer_list"), params).status_code == 200


@pytest.mark.parametrize("name", ["opportunities:employer_list", "opportunities:scouting"])
def test_list_query_count_does_not_grow_with_the_page_size(cast, client_for, name):
    for n in range(110):
        employer = make_employer(name=f"Impresa {n:03}", employees=20 + n, ateco_division="47", municipio=1 + n % 9)
        if n % 2:
            make_contact(employer=employer, operator=cast.operator_a, next_step="x", next_step_on=TODAY())
    client = client_for(cast.operator_a)
    url = reverse(name)
    client.get(url)
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size, "sector": "G"})
        assert response.status_code == 200
        assert len(rows(response)) == size
        counts[size] = len(queries)
    assert counts[10] == counts[100]


# ---------------------------------------------------------------------------------------------- reminders and figures


def test_next_steps_page_shows_the_operators_own_steps_overdue_first(cast, employer, other_employer, client_for):
    today = TODAY()
    make_contact(employer=employer, operator=cast.operator_a, next_step="Richiamare", next_step_on=today)
    make_contact(
        employer=other_employer,
        operator=cast.operator_a,
        next_step="Mandare CV",
        next_step_on=today - datetime.timedelta(days=3),
    )
    make_contact(
        employer=employer,
        operator=cast.operator_a,
        next_step="Lontano",
        next_step_on=today + datetime.timedelta(days=60),
    )
    make_contact(employer=employer, operator=cast.operator_b, next_step="Di un collega", next_step_on=today)
    done = make_contact(employer=employer, operator=cast.operator_a, next_step="Fatto", next_step_on=today)
    EmployerContact.objects.filter(pk=done.pk).update(next_step_done_on=today)
    body = client_for(cast.operator_a).get(reverse("opportunities:next_steps")).content.decode()
    overdue = body.index('data-testid="steps-overdue"')
    due_today = body.index('data-testid="steps-today"')
    assert overdue < body.index("Mandare CV") < due_today < body.index("Richiamare")
    for absent in ("Lontano", "Di un collega", "Fatto"):
        assert absent not in body


def test_marking_a_step_done_from_the_reminders(cast, employer, client_for):
    contact = make_contact(employer=employer, operator=cast.operator_a, next_step="x", next_step_on=TODAY())
    client = client_for(cast.operator_a)
    response = client.post(
        reverse("opportunities:contact_done", args=[contact.pk]), {"next": reverse("opportunities:next_steps")}
    )
    assert response.url == reverse("opportunities:next_steps")
    contact.refresh_from_db()
    assert contact.next_step_done_on == TODAY()
    evil = client.post(reverse("opportunities:contact_done", args=[contact.pk]), {"next": "https://evil.example/"})
    assert evil.url == reverse("opportunities:next_steps")


def test_coordinators_see_their_operators_figures(cast, employer, other_employer, client_for):
    today = TODAY()
    for days in (0, 7, 14):
        make_contact(employer=employer, operator=cast.operator_a, contacted_on=today - datetime.timedelta(days=days))
    make_contact(employer=other_employer, operator=cast.operator_a, contacted_on=today)
    make_contact(employer=employer, operator=cast.operator_b, contacted_on=today)
    make_contact(employer=employer, operator=cast.operator_a, contacted_on=today - datetime.timedelta(days=200))
    response = client_for(cast.coordinator_a).get(reverse("opportunities:figures"), {"weeks": 4})
    body = response.content.decode()
    assert response.status_code == 200
    figures = response.context["figures"]
    assert [(f.operator, f.contacts, f.employers, f.per_week) for f in figures] == [(cast.operator_a, 4, 2, 1.0)]
    assert "operator_b" not in body
    assert response.context["totals"]["contacts"] == 5


def test_analysts_see_network_counts_without_names(cast, employer, other_employer, client_for):
    make_contact(employer=employer, operator=cast.operator_a, contacted_on=TODAY())
    response = client_for(cast.analyst).get(reverse("opportunities:figures"))
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="total-open-employers">2<', body)
    assert re.search(r'data-testid="total-open-places">7<', body)
    assert 'data-testid="operator-figures"' not in body
    assert "Olga" not in body and "operator_a" not in body


@pytest.mark.parametrize("role", ["operator_a", "clinician_a", "company_referent", "sysadmin", "dpo"])
def test_figures_are_missing_for_other_roles(cast, client_for, role):
    assert client_for(getattr(cast, role)).get(reverse("opportunities:figures")).status_code == 404


@pytest.mark.parametrize(
    "name", [*LIST_PAGES, "opportunities:employer_create", "opportunities:figures", "opportunities:opportunity_list"]
)
def test_every_page_renders_in_italian_the_default_language(cast, employer, client_for, name):
    make_contact(employer=employer, operator=cast.coordinator_a, next_step="Richiamare", next_step_on=TODAY())
    client = client_for(cast.coordinator_a)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert '<html lang="it">' in response.content.decode()
    detail = client.get(reverse("opportunities:employer_detail", args=[employer.pk]))
    assert detail.status_code == 200
    assert "Magazzinaggio e attività di supporto ai trasporti" in detail.content.decode()
