"""The directory (organisations, units) is readable by every signed-in user, and filterable."""

import pytest

ROLES = ["operator_a", "operator_b", "analyst", "company_referent", "sysadmin", "dpo"]


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_user_reads_the_directory(cast, api_for, role):
    api = api_for(getattr(cast, role))
    response = api.get("/api/v1/organisations/")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        cast.org_a.pk,
        cast.org_b.pk,
        cast.company.pk,
        cast.ats.pk,
    }
    assert api.get("/api/v1/units/").json()["count"] == 7


def test_anonymous_gets_403(cast, anon_api):
    with anon_api.sending_invalid_requests():  # no credentials: the schema requires some
        assert anon_api.get("/api/v1/organisations/").status_code == 403


def test_filters_by_kind_and_organisation(cast, api_for):
    api = api_for(cast.operator_a)
    response = api.get("/api/v1/organisations/", {"kind": "asst"})
    assert {row["id"] for row in response.json()["results"]} == {cast.org_a.pk, cast.org_b.pk}
    response = api.get("/api/v1/units/", {"organisation": cast.org_a.pk})
    assert {row["id"] for row in response.json()["results"]} == {cast.unit_a.pk, cast.cps_a.pk}


def test_bad_filter_is_a_400_with_the_field(cast, api_for):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.get("/api/v1/organisations/", {"kind": "bank"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_unit_detail_and_unknown_id(cast, api_for):
    api = api_for(cast.operator_a)
    response = api.get(f"/api/v1/units/{cast.unit_b.pk}/")
    assert response.status_code == 200
    assert response.json()["organisation_name"] == cast.org_b.name
    assert api.get("/api/v1/units/999999/").status_code == 404
    assert api.get("/api/v1/units/abc/").status_code == 404
    assert api.get("/api/v1/units/99999999999999999999999/").status_code == 404
