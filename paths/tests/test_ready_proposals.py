"""The person's paths page offers the accepted proposals that no path has started from yet."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opportunities.models import Opportunity, Proposal
from paths import services
from paths.tests.conftest import internship_fields


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def proposal(cast, person, host, *, title="Addetto al magazzino", employer_says="yes"):
    opportunity = Opportunity.objects.create(
        organisation=cast.org_a,
        employer=host.employer_profile,
        kind="internship",
        title=title,
        hours_per_week=30,
        status="open",
    )
    row = Proposal(
        opportunity=opportunity,
        person=person,
        organisation=cast.org_a,
        proposed_by=cast.operator_a,
        proposed_on=datetime.date(2026, 8, 1),
        candidate_decision="yes",
        employer_decision=employer_says,
    )
    row.refresh_status()
    row.save()
    return row


def start_links(html: str) -> list[str]:
    return re.findall(r'data-testid="start-path" href="([^"]+)"', html)


def test_an_accepted_proposal_is_offered_until_a_path_starts_from_it(cast, person_a, host, client_for):
    accepted = proposal(cast, person_a, host)
    proposal(cast, person_a, host, title="Aiuto cuoco", employer_says="pending")  # still waiting: not offered
    client = client_for(cast.operator_a)
    url = reverse("paths:person", args=[person_a.pk])
    html = client.get(url).content.decode()
    create = reverse("paths:create", args=[person_a.pk])
    assert start_links(html) == [f"{create}?proposal={accepted.pk}"]
    assert "Addetto al magazzino" in html and "Aiuto cuoco" not in html

    services.path_create(
        actor=cast.operator_a,
        person=person_a,
        case=person_a.cases.get(),
        proposal=accepted,
        opportunity=accepted.opportunity,
        **internship_fields(host),
    )
    assert start_links(client.get(url).content.decode()) == []


def test_who_may_not_plan_is_not_offered_the_proposal(cast, person_a, host, client_for):
    proposal(cast, person_a, host)
    # The peer expert of A's Polo Lavoro reads the person's paths but plans none.
    response = client_for(cast.peer_a).get(reverse("paths:person", args=[person_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="path-create"' not in html and start_links(html) == []
    assert client_for(cast.operator_b).get(reverse("paths:person", args=[person_a.pk])).status_code == 404


def test_the_offer_costs_one_query_whatever_the_proposals(cast, person_a, host, client_for):
    client = client_for(cast.operator_a)
    url = reverse("paths:person", args=[person_a.pk])
    proposal(cast, person_a, host, title="Uno")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        proposal(cast, person_a, host, title=f"Altro {n}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(start_links(html)) == 5
    assert len(few.captured_queries) == len(many.captured_queries)
