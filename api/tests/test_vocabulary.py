"""The shared vocabulary in the API: read-only, for anyone signed in, searched with `q` in either language and by
synonyms, names in the request's language, a count of the goals that use a term; nothing audited, no writes."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from plans import services
from plans.models import Term
from plans.vocabulary import load_vocabulary

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms(db):
    Term.objects.create(
        slug="abitare",
        area="housing",
        name_it="Condizione abitativa",
        name_en="Housing situation",
        definition_it="Dove e come vive la persona.",
        definition_en="Where and how the person lives.",
        social_synonyms=["situazione abitativa"],
        health_synonyms=["domicilio"],
    )
    Term.objects.create(
        slug="attivita-lavorativa",
        area="work",
        name_it="Attività lavorativa",
        name_en="Work activity",
        definition_it="Il lavoro svolto.",
        definition_en="The work done.",
        social_synonyms=["occupazione"],
        health_synonyms=["funzionamento lavorativo"],
    )


def test_search_in_either_language_and_by_synonym(cast, terms, api_for):
    api = api_for(cast.company_referent)  # anyone signed in
    everything = api.get("/api/v1/vocabulary/").json()
    assert everything["count"] == 2
    assert [row["slug"] for row in api.get("/api/v1/vocabulary/", {"q": "attivita"}).json()["results"]] == [
        "attivita-lavorativa"
    ]
    assert [row["slug"] for row in api.get("/api/v1/vocabulary/", {"q": "housing"}).json()["results"]] == ["abitare"]
    assert [row["slug"] for row in api.get("/api/v1/vocabulary/", {"q": "DOMICILIO"}).json()["results"]] == ["abitare"]
    assert api.get("/api/v1/vocabulary/", {"q": "astronave"}).json()["count"] == 0
    assert AuditEvent.objects.count() == 0


def test_names_follow_the_request_language(cast, terms, api_for):
    api = api_for(cast.operator_a)
    english = api.get("/api/v1/vocabulary/abitare/", HTTP_ACCEPT_LANGUAGE="en").json()
    italian = api.get("/api/v1/vocabulary/abitare/", HTTP_ACCEPT_LANGUAGE="it").json()
    assert (english["name"], italian["name"]) == ("Housing situation", "Condizione abitativa")
    assert english["name_it"] == italian["name_it"] == "Condizione abitativa"
    assert english["health_synonyms"] == ["domicilio"]
    names = [row["name"] for row in api.get("/api/v1/vocabulary/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]]
    assert names == ["Housing situation", "Work activity"]


def test_a_term_counts_the_goals_that_use_it(cast, person_a, terms, api_for):
    plan = services.plan_create(actor=cast.operator_a, person=person_a)
    services.goal_save(
        actor=cast.operator_a,
        plan=plan,
        version=plan.version,
        area="housing",
        title="Vivere da sola",
        term=Term.objects.get(slug="abitare"),
    )
    # The count is a number over the network, no person: another organisation sees it too.
    assert api_for(cast.operator_b).get("/api/v1/vocabulary/abitare/").json()["goal_count"] == 1
    assert api_for(cast.operator_b).get("/api/v1/vocabulary/attivita-lavorativa/").json()["goal_count"] == 0


def test_read_only_unknown_terms_404_and_signed_in_users_only(cast, terms, api_for, anon_api):
    api = api_for(cast.operator_a)
    assert api.get("/api/v1/vocabulary/nessuno/").status_code == 404
    # Writes are not part of the schema at all, so a plain client (not checked against it) sends them.
    plain = APIClient()
    plain.force_authenticate(cast.coordinator_a)
    assert plain.post("/api/v1/vocabulary/", {"slug": "nuovo"}, format="json").status_code == 405
    assert plain.patch("/api/v1/vocabulary/abitare/", {"name_it": "X"}, format="json").status_code == 405
    assert plain.delete("/api/v1/vocabulary/abitare/").status_code == 405
    assert Term.objects.get(slug="abitare").name_it == "Condizione abitativa"
    with anon_api.sending_invalid_requests():  # no credentials: only the answer is checked
        assert anon_api.get("/api/v1/vocabulary/").status_code == 403


def test_the_shipped_vocabulary_is_searchable(cast, api_for):
    load_vocabulary()
    body = api_for(cast.operator_a).get("/api/v1/vocabulary/", {"page_size": 200}).json()
    assert body["count"] == Term.objects.count() > 0
    assert all(row["name_it"] and row["name_en"] and row["definition"] for row in body["results"])
