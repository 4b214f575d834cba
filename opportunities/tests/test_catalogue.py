"""The start of the opportunity catalogue: who sees which opportunity, and the list page."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opportunities.models import Opportunity


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def make_opportunity(organisation, title, *, status="open", kind="internship", **fields):
    return Opportunity.objects.create(organisation=organisation, title=title, status=status, kind=kind, **fields)


ROW = re.compile(r'data-testid="opportunity-row">\s*<th scope="row"><a [^>]+>([^<]+)</a></th>')


def titles(response) -> list[str]:
    return ROW.findall(response.content.decode())


@pytest.fixture
def catalogue(cast, employer):
    return {
        "open_a": make_opportunity(cast.org_a, "Tirocinio in magazzino", employer=employer, municipio=9),
        "draft_a": make_opportunity(cast.org_a, "Bozza di Sacco", status="draft"),
        "open_company": make_opportunity(cast.company, "Addetto logistica", kind="law68", contract_type="permanent"),
        "closed_company": make_opportunity(cast.company, "Posto chiuso", status="closed"),
        "draft_b": make_opportunity(cast.org_b, "Bozza di Niguarda", status="draft", kind="course"),
    }


def visible(user, action="view") -> set[str]:
    return set(Opportunity.objects.restrict(user, action).values_list("title", flat=True))


def test_every_operator_of_every_territory_sees_every_open_opportunity_and_their_own_drafts(cast, catalogue):
    assert visible(cast.operator_a) == {"Tirocinio in magazzino", "Addetto logistica", "Bozza di Sacco"}
    assert visible(cast.operator_b) == {"Tirocinio in magazzino", "Addetto logistica", "Bozza di Niguarda"}
    # Operators outside job-inclusion units (a CPS clinician) see the open ones too: they refer candidates.
    assert visible(cast.clinician_a) == {"Tirocinio in magazzino", "Addetto logistica"}


def test_a_company_referent_sees_only_their_own_organisations_opportunities(cast, catalogue):
    assert visible(cast.company_referent) == {"Addetto logistica", "Posto chiuso"}
    assert visible(cast.company_referent, "change") == {"Addetto logistica", "Posto chiuso"}


@pytest.mark.parametrize("role", ["analyst", "sysadmin", "dpo"])
def test_roles_without_operators_work_see_no_opportunity(cast, catalogue, client_for, role):
    assert visible(getattr(cast, role)) == set()
    assert client_for(getattr(cast, role)).get(reverse("opportunities:opportunity_list")).status_code == 404


def test_only_the_publisher_changes_an_opportunity(cast, catalogue):
    assert visible(cast.operator_a, "change") == {"Tirocinio in magazzino", "Bozza di Sacco"}
    assert visible(cast.clinician_a, "change") == set()


def test_catalogue_search_and_filters(cast, catalogue, client_for):
    client = client_for(cast.operator_b)
    url = reverse("opportunities:opportunity_list")
    assert titles(client.get(url)) == ["Bozza di Niguarda", "Addetto logistica", "Tirocinio in magazzino"]
    assert titles(client.get(url, {"q": "esempio logistica"})) == ["Addetto logistica", "Tirocinio in magazzino"]
    assert titles(client.get(url, {"kind": "law68"})) == ["Addetto logistica"]
    assert titles(client.get(url, {"contract_type": "permanent"})) == ["Addetto logistica"]
    assert titles(client.get(url, {"municipio": 9})) == ["Tirocinio in magazzino"]
    assert titles(client.get(url, {"status": "draft"})) == ["Bozza di Niguarda"]


def test_catalogue_query_count_does_not_grow_with_the_page_size(cast, employer, client_for):
    for n in range(110):
        make_opportunity(cast.company if n % 2 else cast.org_b, f"Opportunità {n:03}", employer=employer)
    client = client_for(cast.operator_a)
    url = reverse("opportunities:opportunity_list")
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size})
        assert len(titles(response)) == size
        counts[size] = len(queries)
    assert counts[10] == counts[100]


def test_catalogue_htmx_request_gets_the_results_partial(cast, catalogue, client_for):
    body = (
        client_for(cast.operator_a)
        .get(reverse("opportunities:opportunity_list"), {"kind": "course"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert body.lstrip().startswith('<div id="opportunity-results"') and "<html" not in body


def test_catalogue_filters_by_occupation_group_and_skill(cast, client_for):
    make_opportunity(cast.org_a, "Magazziniere", occupation_code="9321", required_skills=["warehouse", "forklift"])
    make_opportunity(cast.org_a, "Corso carrellisti", kind="course", skills_taught=["forklift"])
    make_opportunity(cast.org_a, "Cassiere", occupation_code="52", desired_skills=["cash_handling"])
    make_opportunity(cast.org_a, "Archivio", occupation_code="41", required_skills=["data_entry"])
    client = client_for(cast.operator_a)
    url = reverse("opportunities:opportunity_list")
    assert titles(client.get(url, {"skill": "forklift"})) == ["Corso carrellisti", "Magazziniere"]
    assert titles(client.get(url, {"skill": "cash_handling"})) == ["Cassiere"]
    assert titles(client.get(url, {"occupation": "93"})) == ["Magazziniere"]
    assert titles(client.get(url, {"occupation": "52"})) == ["Cassiere"]
