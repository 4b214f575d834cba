"""API lists run the same number of queries for one row as for many."""

from api.tests.arrange import make_referral, queries_of
from core.testing.cast import make_case, make_consent, make_person


def add_persons(cast, n):
    for _ in range(n):
        person = make_person(registered_by=cast.org_a)
        make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
        make_referral(person=person, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)


def test_list_queries_do_not_grow_with_the_rows(cast, api_for):
    api = api_for(cast.operator_a)
    urls = [
        "/api/v1/persons/",
        "/api/v1/persons/?q=a",
        "/api/v1/cases/",
        "/api/v1/referrals/",
        "/api/v1/organisations/",
        "/api/v1/units/",
    ]
    add_persons(cast, 1)
    few = {url: queries_of(lambda url=url: api.get(url)) for url in urls}
    add_persons(cast, 6)
    many = {url: queries_of(lambda url=url: api.get(url)) for url in urls}
    assert few == many
    assert api.get("/api/v1/cases/").json()["count"] == 7


def test_consent_list_queries_do_not_grow(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    url = f"/api/v1/persons/{person_a.pk}/consents/"
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    few = queries_of(lambda: api.get(url))
    for _ in range(5):
        make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.coordinator_a, purpose="statistics")
    assert queries_of(lambda: api.get(url)) == few
    assert api.get(url).json()["count"] == 6
