"""The main menu is rendered once per language and set of flags (config.context_processors, ADR 0020): it must be
what rendering includes/nav.html for each user would give, and follow each user's flags from one request to the next.
"""

import dataclasses

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.access import access_for
from config.context_processors import _menu, _nav
from core.testing.cast import Cast

ORGANISATIONS_AND_UNITS = {"org_a", "org_b", "company", "ats", "unit_a", "cps_a", "unit_b"}
USERS = [field.name for field in dataclasses.fields(Cast) if field.name not in ORGANISATIONS_AND_UNITS]


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("username", USERS)
def test_the_shared_menu_is_the_users_own(cast, username, language):
    user = getattr(cast, username)
    with translation.override(language):
        direct = render_to_string("includes/nav.html", {"ponte_access": access_for(user), "ponte_menu": _menu(user)})
        assert _nav(user, _menu(user)) == direct


def test_each_user_gets_the_menu_of_their_roles_in_the_same_process(cast, client_for):
    audit_entry = f'<a class="nav-link" href="{reverse("audit:log")}">'
    persons_entry = f'<a class="nav-link" href="{reverse("people:list")}">'
    client = client_for(cast.dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("home")).content.decode()
    assert audit_entry in page and persons_entry not in page
    page = client_for(cast.operator_a).get(reverse("home")).content.decode()
    assert persons_entry in page and audit_entry not in page
    assert ">Persons<" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    assert ">Persone<" in client.get(reverse("home")).content.decode()
