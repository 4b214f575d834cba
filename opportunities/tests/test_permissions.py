"""Who reaches which employer and which contact: the restrict() querysets and the policy functions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from opportunities import permissions
from opportunities.models import EmployerContact, EmployerProfile
from opportunities.tests.conftest import make_contact

SCOUTS = ["operator_a", "coordinator_a", "operator_b", "coordinator_b"]
NOT_SCOUTS = ["clinician_a", "clinician_b", "peer_a", "analyst", "sysadmin", "dpo"]


def visible(model, user, action="view"):
    return set(model.objects.restrict(user, action).values_list("pk", flat=True))


@pytest.mark.parametrize("role", SCOUTS)
@pytest.mark.parametrize("action", ["view", "change"])
def test_scouting_staff_of_every_territory_reach_every_employer(cast, employer, other_employer, role, action):
    assert visible(EmployerProfile, getattr(cast, role), action) == {employer.pk, other_employer.pk}


def test_celav_operators_reach_every_employer(cast, employer, other_employer, celav_operator):
    assert visible(EmployerProfile, celav_operator) == {employer.pk, other_employer.pk}
    assert permissions.is_scout(celav_operator)


@pytest.mark.parametrize("action", ["view", "change"])
def test_a_company_referent_reaches_only_their_own_profile(cast, employer, other_employer, other_referent, action):
    assert visible(EmployerProfile, cast.company_referent, action) == {employer.pk}
    assert visible(EmployerProfile, other_referent, action) == {other_employer.pk}
    assert permissions.can_change_employer(cast.company_referent, employer)
    assert not permissions.can_view_employer(cast.company_referent, other_employer)


@pytest.mark.parametrize("role", NOT_SCOUTS)
def test_other_roles_reach_no_employer_and_no_contact(cast, employer, role):
    make_contact(employer=employer, operator=cast.operator_a)
    user = getattr(cast, role)
    assert visible(EmployerProfile, user) == set()
    assert visible(EmployerContact, user) == set()


def test_a_clinician_in_a_polo_lavoro_is_not_scouting_staff(cast):
    # clinician_b holds their role in Polo Lavoro Niguarda: the role, not only the unit, decides.
    assert not permissions.is_scout(cast.clinician_b)


def test_anonymous_reaches_nothing(cast, employer):
    assert not EmployerProfile.objects.restrict(AnonymousUser(), "view").exists()


def test_company_referents_never_read_the_contact_log(cast, employer):
    make_contact(employer=employer, operator=cast.operator_a)
    assert visible(EmployerContact, cast.company_referent) == set()
    assert not permissions.can_view_contacts(cast.company_referent)


def test_every_scout_reads_every_contact_but_changes_only_their_own_or_their_operators(cast, employer):
    by_a = make_contact(employer=employer, operator=cast.operator_a)
    by_b = make_contact(employer=employer, operator=cast.operator_b)
    for role in SCOUTS:
        assert visible(EmployerContact, getattr(cast, role)) == {by_a.pk, by_b.pk}
    assert visible(EmployerContact, cast.operator_a, "change") == {by_a.pk}
    assert visible(EmployerContact, cast.coordinator_a, "change") == {by_a.pk}
    assert visible(EmployerContact, cast.coordinator_b, "change") == {by_b.pk}
    assert permissions.can_change_contact(cast.coordinator_a, by_a)
    assert not permissions.can_change_contact(cast.coordinator_a, by_b)


def test_deactivating_the_membership_ends_the_access(cast, employer):
    from accounts.models import User

    cast.operator_a.memberships.update(is_active=False)
    fresh = User.objects.get(pk=cast.operator_a.pk)
    assert visible(EmployerProfile, fresh) == set()


def test_figures_are_for_coordinators_and_analysts(cast):
    assert permissions.can_view_operator_figures(cast.coordinator_a)
    assert permissions.can_view_operator_figures(cast.analyst)
    for role in ("operator_a", "clinician_a", "company_referent", "dpo", "sysadmin"):
        assert not permissions.can_view_operator_figures(getattr(cast, role))
