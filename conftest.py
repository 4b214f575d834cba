"""Fixtures shared by every test: the cast and a person of organisation A."""

import pytest
from django.utils import translation

from core.testing.cast import build_cast, make_case, make_person


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in Italian, the default: a page requested in English must not leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def person_a(cast):
    """A person registered by organisation A, in an open case of A's Polo Lavoro, with a diagnosis group."""
    person = make_person(registered_by=cast.org_a, last_name="Rossi", first_name="Maria", diagnosis_group="F20-F29")
    make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
    return person


@pytest.fixture
def client_for(client):
    """`client_for(user)` logs the test client in as `user` and returns it."""

    def login(user):
        client.force_login(user)
        return client

    return login
