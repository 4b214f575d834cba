"""Employers and opportunities in the API: the same reach as the pages, no person data, filters, 404s."""

import pytest

from opportunities.tests.conftest import (  # noqa: F401 (fixtures)
    employer,
    make_opportunity,
    other_employer,
    other_referent,
)

pytestmark = pytest.mark.django_db


def test_scouting_staff_read_every_employer_with_its_quota(cast, employer, other_employer, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    rows = api.get("/api/v1/employers/").json()["results"]
    assert {row["id"] for row in rows} == {employer.pk, other_employer.pk}
    detail = api.get(f"/api/v1/employers/{employer.pk}/").json()
    assert (detail["law68_quota"], detail["law68_covered"], detail["law68_open"]) == (8, 3, 5)
    open_quota = api.get("/api/v1/employers/", {"open_quota": "true", "municipio": 9}).json()["results"]
    assert [row["id"] for row in open_quota] == [employer.pk]


def test_a_company_referent_reads_only_their_own_employer(cast, employer, other_employer, api_for):  # noqa: F811
    api = api_for(cast.company_referent)
    assert [row["id"] for row in api.get("/api/v1/employers/").json()["results"]] == [employer.pk]
    assert api.get(f"/api/v1/employers/{other_employer.pk}/").status_code == 404


def test_roles_without_a_part_in_job_inclusion_read_no_employer(cast, employer, api_for):  # noqa: F811
    for user in (cast.analyst, cast.dpo, cast.sysadmin, cast.clinician_a):
        api = api_for(user)
        assert api.get("/api/v1/employers/").json()["count"] == 0
        assert api.get(f"/api/v1/employers/{employer.pk}/").status_code == 404


def test_the_catalogue_filters_and_keeps_drafts_to_their_publisher(cast, employer, other_referent, api_for):  # noqa: F811
    job = make_opportunity(cast.org_a, "Addetto magazzino", employer=employer, hours_per_week=20, municipio=9)
    course = make_opportunity(cast.org_a, "Corso di logistica", kind="course")
    draft = make_opportunity(cast.org_a, "Bozza", status="draft")
    api = api_for(cast.operator_b)  # another territory's operator sees every open opportunity
    ids = {row["id"] for row in api.get("/api/v1/opportunities/").json()["results"]}
    assert {job.pk, course.pk} <= ids and draft.pk not in ids
    assert [r["id"] for r in api.get("/api/v1/opportunities/", {"kind": "course"}).json()["results"]] == [course.pk]
    assert [r["id"] for r in api.get("/api/v1/opportunities/", {"q": "magazzino"}).json()["results"]] == [job.pk]
    body = api.get(f"/api/v1/opportunities/{job.pk}/").json()
    assert body["employer_name"] == employer.organisation.name and body["hours_per_week"] == 20
    assert api.get(f"/api/v1/opportunities/{draft.pk}/").status_code == 404
    # A company referent reads their own company's opportunities, not the rest of the catalogue.
    assert api_for(other_referent).get(f"/api/v1/opportunities/{job.pk}/").status_code == 404
    with api.sending_invalid_requests():
        assert api.get("/api/v1/opportunities/", {"kind": "spaceship"}).status_code == 400
