"""API test fixtures: clients authenticated by token, checked against the schema."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from api.tests.schema import ApiClient


@pytest.fixture
def anon_api():
    return ApiClient()


@pytest.fixture
def api_for(db):
    """`api_for(user)`: a client that sends `user`'s API token, as an integration would."""

    def make(user):
        token, _created = Token.objects.get_or_create(user=user)
        client = ApiClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The token endpoint's throttle counts in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
