"""The registry's write services: registration, changes, merges and consents, with their audit events."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.choices import Action, Outcome
from audit.models import AuditEvent
from cases.models import Case, Referral
from core.exceptions import StaleObjectError
from core.testing.cast import fiscal_code_for, make_case, make_consent, make_person
from people import services
from people.models import Consent, Person, PersonMerge
from people.permissions import visible_sections

BORN = datetime.date(1988, 4, 12)


def identity(**over):
    data = {
        "first_name": "Luisa",
        "last_name": "Brivio",
        "sex": "F",
        "birth_date": BORN,
        "birth_place": "Milano",
    }
    data.update(over)
    data.setdefault(
        "fiscal_code",
        fiscal_code_for(
            last_name=data["last_name"], first_name=data["first_name"], sex=data["sex"], birth_date=data["birth_date"]
        ),
    )
    return data


def test_register_in_the_actors_organisation_and_audit(cast):
    person = services.person_create(actor=cast.operator_a, phone="02 555", **identity())
    assert person.registered_by == cast.org_a
    assert person.birth_place_code == "F205"
    assert person.phone == "02 555"
    event = AuditEvent.objects.get(action=Action.PERSON_CREATE)
    assert (event.person_id, event.actor, event.organisation) == (person.pk, cast.operator_a, cast.org_a)


def test_fiscal_code_typed_loosely_is_stored_normalised(cast):
    data = identity()
    data["fiscal_code"] = " " + data["fiscal_code"].lower() + " "
    person = services.person_create(actor=cast.operator_a, **data)
    assert person.fiscal_code == identity()["fiscal_code"]


def test_inconsistent_fiscal_code_is_refused_field_by_field(cast):
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=cast.operator_a, **identity(sex="M", fiscal_code=identity()["fiscal_code"]))
    assert set(error.value.message_dict) == {"sex"}
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.PERSON_CREATE).exists()


def test_a_visible_duplicate_is_named(cast):
    first = services.person_create(actor=cast.operator_a, **identity())
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=cast.coordinator_a, **identity())
    assert str(first.pk) in error.value.message_dict["fiscal_code"][0]
    assert Person.objects.count() == 1


def test_a_hidden_duplicate_is_refused_without_naming_it_and_audited(cast):
    hidden = services.person_create(actor=cast.operator_a, **identity())
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=cast.operator_b, **identity())
    message = error.value.message_dict["fiscal_code"][0]
    assert "Brivio" not in message and "Sacco" not in message
    event = AuditEvent.objects.get(action=Action.PERSON_DUPLICATE_HIDDEN)
    assert (event.person_id, event.actor, event.outcome) == (hidden.pk, cast.operator_b, Outcome.REFUSED)
    assert Person.objects.count() == 1


def test_only_a_clinician_records_the_diagnosis(cast):
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=cast.operator_a, diagnosis_group="F20-F29", **identity())
    assert "diagnosis_group" in error.value.message_dict
    person = services.person_create(actor=cast.clinician_a, diagnosis_group="F20-F29", **identity())
    assert person.diagnosis_group == "F20-F29"


@pytest.mark.parametrize("who", ["analyst", "dpo", "sysadmin", "company_referent"])
def test_roles_without_person_writes_cannot_register(cast, who):
    with pytest.raises(PermissionDenied):
        services.person_create(actor=getattr(cast, who), **identity())


def test_registering_for_another_organisation_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=cast.operator_a, organisation=cast.org_b, **identity())
    assert "organisation" in error.value.message_dict


def test_update_bumps_the_version_and_audits_the_field_names_only(cast, person_a):
    person = services.person_update(actor=cast.operator_a, person=person_a, version=1, phone="02 1", email="a@b.it")
    assert person.version == 2
    event = AuditEvent.objects.get(action=Action.PERSON_UPDATE)
    assert event.detail == {"fields": ["email", "phone"], "version": 2}


def test_stale_update_names_what_changed_meanwhile(cast, person_a):
    services.person_update(actor=cast.operator_a, person=person_a, version=1, phone="02 1")
    with pytest.raises(StaleObjectError) as error:
        services.person_update(actor=cast.coordinator_a, person=person_a, version=1, email="x@y.it")
    assert list(error.value.changed) == ["phone"]
    assert error.value.current.version == 2
    person_a.refresh_from_db()
    assert person_a.email == ""


def test_a_field_outside_the_visible_sections_cannot_be_changed(cast, person_a):
    with pytest.raises(ValidationError) as error:
        services.person_update(actor=cast.operator_a, person=person_a, version=1, diagnosis_group="F99")
    assert "diagnosis_group" in error.value.message_dict


def test_an_identity_change_is_checked_against_the_fiscal_code(cast, person_a):
    with pytest.raises(ValidationError) as error:
        services.person_update(actor=cast.operator_a, person=person_a, version=1, birth_date=datetime.date(1901, 1, 1))
    assert "birth_date" in error.value.message_dict
    person_a.refresh_from_db()
    assert person_a.version == 1


def test_another_organisation_cannot_update_even_with_consent(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    with pytest.raises(PermissionDenied):
        services.person_update(actor=cast.operator_b, person=person_a, version=1, phone="1")


def test_merge_moves_everything_and_keeps_a_snapshot(cast, person_a):
    twin = make_person(
        registered_by=cast.org_a,
        last_name="Rosi",
        first_name="Maria",
        birth_date=person_a.birth_date,
        phone="02 999",
        email="maria@example.org",
    )
    make_case(person=twin, unit=cast.cps_a, area="housing")
    make_consent(person=twin, organisation=cast.org_b, recorded_by=cast.operator_a)
    keep = services.person_merge(actor=cast.operator_a, keep=person_a, drop=twin)
    twin.refresh_from_db()
    assert twin.merged_into == keep
    assert keep.phone == "02 999" and keep.email == "maria@example.org"
    assert Case.objects.filter(person=keep).count() == 2
    assert Consent.objects.filter(person=keep).count() == 1
    merge = PersonMerge.objects.get()
    assert merge.snapshot["last_name"] == "Rosi"
    assert sorted(merge.fields_taken) == ["email", "phone"]
    assert AuditEvent.objects.filter(action=Action.PERSON_MERGE).count() == 2
    assert list(Person.objects.restrict(cast.operator_a, "view").filter(pk__in=[keep.pk, twin.pk])) == [keep]
    # The merged record's fiscal code may be registered again only as a new record of its own.
    assert Person.objects.live().filter(fiscal_code=twin.fiscal_code).count() == 0


def test_merge_refuses_two_open_cases_in_the_same_unit_and_area(cast, person_a):
    twin = make_person(registered_by=cast.org_a, birth_date=person_a.birth_date)
    make_case(person=twin, unit=cast.unit_a)
    with pytest.raises(ValidationError):
        services.person_merge(actor=cast.operator_a, keep=person_a, drop=twin)
    twin.refresh_from_db()
    assert twin.merged_into is None


def test_merge_needs_both_records_changeable(cast, person_a):
    other = make_person(registered_by=cast.org_b)
    with pytest.raises(PermissionDenied):
        services.person_merge(actor=cast.operator_a, keep=person_a, drop=other)


def test_sharing_consent_opens_the_sections_and_withdrawal_closes_them_at_once(cast, person_a):
    consent = services.consent_give(
        actor=cast.operator_a,
        person=person_a,
        purpose="sharing",
        organisation=cast.org_b,
        given_on=datetime.date(2025, 3, 1),
        sections=["contacts"],
    )
    assert consent.recorded_by_organisation == cast.org_a
    assert visible_sections(cast.operator_b, person_a) == {"identity", "contacts"}
    services.consent_withdraw(actor=cast.operator_a, consent=consent)
    assert not Person.objects.restrict(cast.operator_b, "view").filter(pk=person_a.pk).exists()
    assert visible_sections(cast.operator_b, person_a) == frozenset()
    actions = list(AuditEvent.objects.filter(person=person_a).values_list("action", flat=True))
    assert Action.CONSENT_GIVE in actions and Action.CONSENT_WITHDRAW in actions


def test_withdrawal_keeps_the_treating_teams_access(cast, person_a):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    make_case(person=person_a, unit=cast.unit_b)
    services.consent_withdraw(actor=cast.operator_a, consent=consent)
    assert Person.objects.restrict(cast.operator_b, "view").filter(pk=person_a.pk).exists()


def test_withdrawal_withdraws_the_referrals_waiting_on_it(cast, person_a):
    from cases import services as case_services

    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    referral = case_services.referral_send(
        actor=cast.operator_a,
        person=person_a,
        from_unit=cast.unit_a,
        to_unit=cast.unit_b,
        area="work",
        reason="Ready.",
    )
    services.consent_withdraw(actor=cast.operator_a, consent=consent)
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and referral.withdrawn_at is not None
    assert Referral.objects.get().consent == consent


@pytest.mark.parametrize(
    "change, field",
    [
        ({"given_on": timezone.localdate() + datetime.timedelta(days=1)}, "given_on"),
        ({"sections": ["clinical"]}, "sections"),
        ({"purpose": "statistics", "sections": ["contacts"]}, "sections"),
        ({"organisation": "own"}, "organisation"),
    ],
)
def test_bad_consents_are_refused(cast, person_a, change, field):
    data = {"purpose": "sharing", "organisation": cast.org_b, "given_on": datetime.date(2025, 1, 1)}
    data.update(change)
    if data["organisation"] == "own":
        data["organisation"] = cast.org_a
    with pytest.raises(ValidationError) as error:
        services.consent_give(actor=cast.operator_a, person=person_a, **data)
    assert field in error.value.message_dict
    assert not Consent.objects.exists()


def test_a_consent_in_force_is_not_recorded_twice(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    with pytest.raises(ValidationError):
        services.consent_give(
            actor=cast.operator_a,
            person=person_a,
            purpose="sharing",
            organisation=cast.org_b,
            given_on=datetime.date(2025, 5, 1),
        )


def test_withdrawal_dates(cast, person_a):
    consent = make_consent(
        person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=datetime.date(2025, 1, 10)
    )
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=cast.operator_a, consent=consent, withdrawn_on=datetime.date(2025, 1, 9))
    services.consent_withdraw(actor=cast.operator_a, consent=consent, withdrawn_on=datetime.date(2025, 2, 1))
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=cast.operator_a, consent=consent)


def test_only_the_treating_team_manages_consents(cast, person_a):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(actor=cast.operator_b, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
