"""Who reaches a person: the treating team, consented organisations, and nobody else."""

import datetime

import pytest

from core.testing.cast import make_case, make_consent, make_person
from people.models import Person
from people.permissions import can_view_access_log, can_view_clinical, visible_sections


def visible(user):
    return set(Person.objects.restrict(user, "view").values_list("pk", flat=True))


def test_treating_team_sees_its_person(cast, person_a):
    assert person_a.pk in visible(cast.operator_a)
    assert person_a.pk in visible(cast.coordinator_a)
    assert person_a.pk in visible(cast.clinician_a)


def test_other_organisation_does_not_see_without_consent(cast, person_a):
    assert person_a.pk not in visible(cast.operator_b)


@pytest.mark.parametrize("role", ["analyst", "company_referent", "sysadmin", "dpo"])
def test_roles_without_person_access_see_nobody(cast, person_a, role):
    assert visible(getattr(cast, role)) == set()
    assert Person.objects.restrict(getattr(cast, role), "change").count() == 0


def test_sharing_consent_opens_the_record_and_withdrawal_closes_it(cast, person_a):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    assert person_a.pk in visible(cast.operator_b)
    assert visible_sections(cast.operator_b, person_a) == {"identity", "contacts"}

    consent.withdrawn_on = datetime.date.today()
    consent.save()
    assert person_a.pk not in visible(cast.operator_b)
    # The treating team keeps its own access.
    assert person_a.pk in visible(cast.operator_a)


def test_consent_not_yet_in_force_opens_nothing(cast, person_a):
    make_consent(
        person=person_a,
        organisation=cast.org_b,
        recorded_by=cast.operator_a,
        given_on=datetime.date.today() + datetime.timedelta(days=3),
    )
    assert person_a.pk not in visible(cast.operator_b)


def test_shared_organisation_cannot_change_the_record(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    assert not Person.objects.restrict(cast.operator_b, "change").filter(pk=person_a.pk).exists()
    assert Person.objects.restrict(cast.operator_a, "change").filter(pk=person_a.pk).exists()


def test_peer_expert_sees_but_cannot_change(cast, person_a):
    assert person_a.pk in visible(cast.peer_a)
    assert not Person.objects.restrict(cast.peer_a, "change").filter(pk=person_a.pk).exists()


def test_clinical_section_only_for_clinicians_of_a_treating_organisation(cast, person_a):
    assert can_view_clinical(cast.clinician_a, person_a)
    assert not can_view_clinical(cast.operator_a, person_a)
    make_consent(
        person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts", "social", "cases"]
    )
    # Sharing never opens clinical content, not even to a clinician of the receiving organisation.
    assert not can_view_clinical(cast.clinician_b, person_a)
    make_case(person=person_a, unit=cast.unit_b)
    assert can_view_clinical(cast.clinician_b, person_a)


def test_merged_records_are_not_listed(cast, person_a):
    other = make_person(registered_by=cast.org_a)
    other.merged_into = person_a
    other.save()
    assert other.pk not in visible(cast.operator_a)


def test_access_log_for_treating_coordinators_and_the_dpo(cast, person_a):
    assert can_view_access_log(cast.coordinator_a, person_a)
    assert can_view_access_log(cast.dpo, person_a)
    assert not can_view_access_log(cast.operator_a, person_a)
    assert not can_view_access_log(cast.coordinator_b, person_a)
