"""The committed openapi.yaml is the schema the code generates, and the response checker really checks."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.http import JsonResponse
from openapi_core.validation.response.exceptions import InvalidData

from api.tests.schema import generated_schema, validate

OPENAPI_FILE = Path(settings.BASE_DIR) / "openapi.yaml"


def test_openapi_yaml_on_disk_matches_the_code():
    on_disk = yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert on_disk == generated_schema(), "openapi.yaml is stale: run `make schema`"


def test_schema_is_served_to_anyone(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["paths"].keys() == generated_schema()["paths"].keys()


def test_checker_rejects_a_response_the_schema_does_not_describe(cast, person_a, api_for):
    real = api_for(cast.operator_a).get(f"/api/v1/persons/{person_a.pk}/")
    forged = JsonResponse({**real.json(), "id": "not-an-integer"})
    forged.wsgi_request = real.wsgi_request
    with pytest.raises(InvalidData):
        validate(forged)
