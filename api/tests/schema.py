"""Every API response in the tests is checked against the OpenAPI schema generated from the code.

`ApiClient` validates each response it receives (and, unless told otherwise, the request it sent) with
openapi-core, so a test cannot forget to: a response the schema does not describe fails the test.
"""

import contextlib
import json
from functools import cache

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from rest_framework.test import APIClient


def generated_schema() -> dict:
    """The schema as the code describes it now (what `manage.py spectacular` writes to openapi.yaml)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(generated_schema())


class _Request(DjangoOpenAPIRequest):
    """Matched by its path against the schema's templates (Django's route names the id `pk`, the schema `id`)."""

    def __init__(self, request):
        super().__init__(request)
        self.parameters.path = {}

    @property
    def path_pattern(self):
        return None

    @property
    def body(self) -> bytes:
        try:
            return self.request.body
        except RequestDataTooBig:  # a test of the size limit; only its response is checked
            return b""


def validate(response, *, request: bool = True) -> None:
    """Raise unless `response` (and `request`, when asked) matches the schema's operation."""
    openapi_request = _Request(response.wsgi_request)
    if request:
        openapi().validate_request(openapi_request)
    openapi().validate_response(openapi_request, DjangoOpenAPIResponse(response))


class ApiClient(APIClient):
    """DRF's test client, validating every exchange against the schema."""

    check_requests = True

    def request(self, **kwargs):
        response = super().request(**kwargs)
        validate(response, request=self.check_requests)
        return response

    @contextlib.contextmanager
    def sending_invalid_requests(self):
        """For tests that send what the schema forbids on purpose: only the response is checked."""
        self.check_requests = False
        try:
            yield self
        finally:
            self.check_requests = True
