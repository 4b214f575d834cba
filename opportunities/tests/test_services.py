"""Writes of employers and contacts: rights, validation, derived quota and the audit event of each."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from audit.choices import Action
from audit.models import AuditEvent
from core.exceptions import StaleObjectError
from opportunities import services
from opportunities.models import EmployerContact, EmployerProfile
from opportunities.tests.conftest import make_contact, make_employer

TODAY = timezone.localdate


# ---------------------------------------------------------------------------------------------- profiles


def test_a_scout_adds_a_new_employer_with_its_quota_and_the_event_is_audited(cast):
    employer = services.employer_create(
        actor=cast.operator_a,
        name="Trattoria Navigli S.r.l.",
        kind=OrganisationKind.COMPANY,
        employees=51,
        ateco_division="56",
        municipio=6,
    )
    assert employer.organisation.kind == OrganisationKind.COMPANY
    assert (employer.ateco_section, employer.law68_quota, employer.law68_open) == ("I", 4, 4)
    event = AuditEvent.objects.get(action=Action.EMPLOYER_SAVE)
    assert event.actor == cast.operator_a
    assert event.object_id == str(employer.pk)
    assert event.detail["created"] is True
    assert "employees" in event.detail["fields"]


def test_a_profile_for_an_existing_organisation_of_the_network(cast):
    employer = services.employer_create(actor=cast.coordinator_b, organisation=cast.company, employees=14)
    assert employer.organisation == cast.company
    assert employer.law68_quota == 0
    with pytest.raises(ValidationError):
        services.employer_create(actor=cast.coordinator_b, organisation=cast.company, employees=20)


def test_organisations_that_are_not_employers_get_no_profile(cast):
    with pytest.raises(ValidationError) as error:
        services.employer_create(actor=cast.operator_a, organisation=cast.org_b, employees=3000)
    assert "kind" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.employer_create(actor=cast.operator_a, name="Nuova ASST", kind=OrganisationKind.ASST, employees=1)
    assert "kind" in error.value.error_dict
    assert not EmployerProfile.objects.exists()


def test_a_name_already_in_the_network_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.employer_create(
            actor=cast.operator_a, name=cast.company.name.upper(), kind=OrganisationKind.COMPANY, employees=5
        )
    assert "name" in error.value.error_dict


@pytest.mark.parametrize("role", ["clinician_a", "peer_a", "analyst", "company_referent", "sysadmin", "dpo"])
def test_only_scouting_staff_add_employers(cast, role):
    with pytest.raises(PermissionDenied):
        services.employer_create(actor=getattr(cast, role), name="Altro S.r.l.", kind="company", employees=5)
    assert not Organisation.objects.filter(name="Altro S.r.l.").exists()


def test_the_type_a_or_b_is_only_for_social_cooperatives(cast):
    coop = services.employer_create(
        actor=cast.operator_a, name="Coop Verde", kind=OrganisationKind.SOCIAL_COOP, employees=30, social_coop_type="B"
    )
    assert coop.social_coop_type == "B"
    company = services.employer_create(
        actor=cast.operator_a, name="Ditta Srl", kind=OrganisationKind.COMPANY, employees=30, social_coop_type="B"
    )
    assert company.social_coop_type == ""


def test_invalid_values_are_refused_on_their_field(cast, employer):
    for field, value in [("ateco_division", "04"), ("municipio", 12), ("computable_employees", 121)]:
        with pytest.raises(ValidationError) as error:
            services.employer_update(actor=cast.operator_a, employer=employer, version=1, **{field: value})
        assert field in error.value.error_dict
    employer.refresh_from_db()
    assert employer.version == 1


def test_the_quota_follows_the_computable_employees_and_the_covered_places(cast, employer):
    assert (employer.law68_quota, employer.law68_open) == (8, 5)
    updated = services.employer_update(
        actor=cast.operator_b, employer=employer, version=1, computable_employees=50, law68_covered=1
    )
    assert (updated.law68_quota, updated.law68_covered, updated.law68_open) == (2, 1, 1)
    assert updated.version == 2
    event = AuditEvent.objects.get(action=Action.EMPLOYER_SAVE)
    assert event.detail == {"created": False, "fields": ["computable_employees", "law68_covered"], "version": 2}


def test_a_change_based_on_an_old_version_is_stale(cast, employer):
    services.employer_update(actor=cast.operator_a, employer=employer, version=1, needs="Addetti mensa")
    with pytest.raises(StaleObjectError):
        services.employer_update(actor=cast.company_referent, employer=employer, version=1, needs="Altro")
    employer.refresh_from_db()
    assert employer.needs == "Addetti mensa"


def test_no_change_writes_nothing(cast, employer):
    services.employer_update(actor=cast.operator_a, employer=employer, version=1, employees=120)
    assert not AuditEvent.objects.filter(action=Action.EMPLOYER_SAVE).exists()


def test_the_company_referent_changes_their_own_profile_only(cast, employer, other_employer):
    services.employer_update(actor=cast.company_referent, employer=employer, version=1, needs="Due magazzinieri")
    assert EmployerProfile.objects.get(pk=employer.pk).needs == "Due magazzinieri"
    with pytest.raises(PermissionDenied):
        services.employer_update(actor=cast.company_referent, employer=other_employer, version=1, needs="x")


@pytest.mark.parametrize("role", ["clinician_a", "peer_a", "analyst", "sysadmin", "dpo"])
def test_roles_outside_scouting_change_no_profile(cast, employer, role):
    with pytest.raises(PermissionDenied):
        services.employer_update(actor=getattr(cast, role), employer=employer, version=1, needs="x")


# ---------------------------------------------------------------------------------------------- contacts


def contact_data(**over):
    data = {
        "contacted_on": TODAY() - datetime.timedelta(days=1),
        "channel": "visit",
        "discussed": "Tirocini in magazzino",
        "outcome": "needs",
        "next_step": "Inviare profili",
        "next_step_on": TODAY() + datetime.timedelta(days=3),
    }
    data.update(over)
    return data


def test_an_operator_logs_a_contact_for_their_organisation_and_it_is_audited(cast, employer):
    contact = services.contact_log(actor=cast.operator_b, employer=employer, **contact_data())
    assert contact.operator == cast.operator_b
    assert contact.organisation == cast.org_b
    event = AuditEvent.objects.get(action=Action.EMPLOYER_CONTACT)
    assert event.actor == cast.operator_b
    assert event.object_id == str(contact.pk)
    assert event.detail["employer"] == employer.pk
    assert "Tirocini" not in str(event.detail)  # the notes stay in the log, not in the audit trail


def test_celav_operators_log_contacts_too(cast, employer, celav_operator):
    contact = services.contact_log(actor=celav_operator, employer=employer, **contact_data())
    assert contact.organisation.name == "Comune di Milano"


@pytest.mark.parametrize("role", ["clinician_a", "clinician_b", "peer_a", "analyst", "company_referent", "dpo"])
def test_only_scouting_staff_log_contacts(cast, employer, role):
    with pytest.raises(PermissionDenied):
        services.contact_log(actor=getattr(cast, role), employer=employer, **contact_data())
    assert not EmployerContact.objects.exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"contacted_on": TODAY() + datetime.timedelta(days=1)}, "contacted_on"),
        ({"next_step": ""}, "next_step"),
        ({"next_step_on": TODAY() - datetime.timedelta(days=5)}, "next_step_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"discussed": "  "}, "discussed"),
    ],
)
def test_invalid_contacts_are_refused_on_their_field(cast, employer, over, field):
    with pytest.raises(ValidationError) as error:
        services.contact_log(actor=cast.operator_a, employer=employer, **contact_data(**over))
    assert field in error.value.error_dict
    assert not EmployerContact.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.EMPLOYER_CONTACT).exists()


def test_a_new_contact_completes_the_operators_open_next_steps_with_that_employer(cast, employer, other_employer):
    earlier = TODAY() - datetime.timedelta(days=10)
    mine = make_contact(
        employer=employer,
        operator=cast.operator_a,
        contacted_on=earlier,
        next_step="x",
        next_step_on=earlier + datetime.timedelta(days=2),
    )
    elsewhere = make_contact(
        employer=other_employer, operator=cast.operator_a, contacted_on=earlier, next_step="y", next_step_on=earlier
    )
    colleague = make_contact(
        employer=employer, operator=cast.coordinator_a, contacted_on=earlier, next_step="z", next_step_on=earlier
    )
    services.contact_log(actor=cast.operator_a, employer=employer, **contact_data())
    for contact, done in ((mine, True), (elsewhere, False), (colleague, False)):
        contact.refresh_from_db()
        assert (contact.next_step_done_on is not None) is done
    assert AuditEvent.objects.get(action=Action.EMPLOYER_CONTACT).detail["closed_next_steps"] == 1


def test_a_contact_can_leave_open_next_steps_open(cast, employer):
    earlier = TODAY() - datetime.timedelta(days=10)
    mine = make_contact(
        employer=employer, operator=cast.operator_a, contacted_on=earlier, next_step="x", next_step_on=earlier
    )
    services.contact_log(actor=cast.operator_a, employer=employer, closes_pending=False, **contact_data())
    mine.refresh_from_db()
    assert mine.next_step_done_on is None


def test_the_next_step_is_marked_done_by_its_operator_or_their_coordinator(cast, employer):
    contact = make_contact(employer=employer, operator=cast.operator_a, next_step="x", next_step_on=TODAY())
    for stranger in (cast.operator_b, cast.coordinator_b, cast.peer_a, cast.company_referent):
        with pytest.raises(PermissionDenied):
            services.contact_next_step_done(actor=stranger, contact=contact)
    services.contact_next_step_done(actor=cast.coordinator_a, contact=contact)
    contact.refresh_from_db()
    assert contact.next_step_done_on == TODAY()
    assert AuditEvent.objects.get(action=Action.EMPLOYER_CONTACT).detail["next_step_done"] == TODAY().isoformat()
    # Again: nothing more happens.
    services.contact_next_step_done(actor=cast.operator_a, contact=contact)
    assert AuditEvent.objects.filter(action=Action.EMPLOYER_CONTACT).count() == 1


def test_a_contact_without_next_step_cannot_be_marked_done(cast, employer):
    contact = make_contact(employer=employer, operator=cast.operator_a)
    with pytest.raises(ValidationError):
        services.contact_next_step_done(actor=cast.operator_a, contact=contact)


def test_the_database_refuses_a_dated_step_without_text(cast, employer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(employer=employer, operator=cast.operator_a, next_step="", next_step_on=TODAY())


def test_the_profile_is_saved_with_its_derived_quota_even_outside_the_services(cast):
    employer = make_employer(name="Grande Magazzino", employees=1000, law68_covered=75, ateco_division="47")
    assert (employer.ateco_section, employer.law68_quota, employer.law68_open) == ("G", 70, 0)
