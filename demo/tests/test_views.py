"""The limit view: signed-in only, only with PONTE_BENCH, no personal data."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from core.testing.cast import make_person
from demo.views import limit_view

pytestmark = pytest.mark.django_db


def _get(user, pk):
    """Call the view directly: the project mounts its URL only in benchmark runs."""
    request = RequestFactory().get(f"/bench/limit/{pk}/")
    request.user = user
    return limit_view(request, pk=pk)


def test_returns_the_row_without_personal_data(cast, settings):
    settings.PONTE_BENCH = True
    person = make_person(registered_by=cast.org_a, last_name="Rossi")
    response = _get(cast.operator_a, person.pk)
    assert response.status_code == 200
    assert f"{person.pk} 5" in response.content.decode()
    assert b"Rossi" not in response.content


def test_missing_row_is_404(cast, settings):
    settings.PONTE_BENCH = True
    with pytest.raises(Http404):
        _get(cast.operator_a, 999_999)


def test_off_without_bench_setting(cast, settings):
    settings.PONTE_BENCH = False
    person = make_person(registered_by=cast.org_a)
    with pytest.raises(Http404):
        _get(cast.operator_a, person.pk)


def test_anonymous_is_sent_to_sign_in(settings):
    from django.contrib.auth.models import AnonymousUser

    settings.PONTE_BENCH = True
    assert _get(AnonymousUser(), 1).status_code == 302


def test_the_project_does_not_mount_it(cast, client):
    """Only bench/urls.py mounts the view; the project's own URLs answer 404 at its address."""
    person = make_person(registered_by=cast.org_a)
    client.force_login(cast.operator_a)
    assert client.get(f"/bench/limit/{person.pk}/").status_code == 404
