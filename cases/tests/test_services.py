"""Referrals and cases: the consent rule, the states and their timestamps, and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.choices import OrganisationKind, Role, UnitKind
from accounts.models import Organisation, Unit
from audit.choices import Action
from audit.models import AuditEvent
from cases import services
from cases.models import Case, Referral
from core.exceptions import StaleObjectError
from core.testing.cast import make_consent, make_user
from people.permissions import visible_sections


def send(cast, person, **over):
    data = {"person": person, "from_unit": cast.unit_a, "to_unit": cast.unit_b, "area": "work", "reason": "Ready."}
    data.update(over)
    return services.referral_send(actor=cast.operator_a, **data)


def test_referral_without_consent_is_refused_with_a_clear_message(cast, person_a):
    with pytest.raises(ValidationError) as error:
        send(cast, person_a)
    assert "consenso" in error.value.message_dict["to_unit"][0]
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            send(cast, person_a)
        assert "consent" in error.value.message_dict["to_unit"][0]
    assert not Referral.objects.exists()


def test_a_withdrawn_consent_does_not_count(cast, person_a):
    make_consent(
        person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, withdrawn_on=datetime.date(2025, 2, 1)
    )
    with pytest.raises(ValidationError):
        send(cast, person_a)


def test_the_morning_referral_accepted_opens_the_case_at_the_receiver(cast, person_a):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    referral = send(cast, person_a)
    assert (referral.status, referral.consent, referral.to_organisation) == ("sent", consent, cast.org_b)
    assert referral.sent_at is not None
    # The receiver sees identity, not the sender's clinical history.
    assert visible_sections(cast.operator_b, person_a) == {"identity"}
    case = services.referral_accept(actor=cast.operator_b, referral=referral)
    referral.refresh_from_db()
    assert (referral.status, referral.case, referral.decided_by) == ("accepted", case, cast.operator_b)
    assert referral.decided_at >= referral.sent_at
    assert (case.organisation, case.unit, case.case_manager, case.area) == (
        cast.org_b,
        cast.unit_b,
        cast.operator_b,
        "work",
    )
    assert "clinical" not in visible_sections(cast.operator_b, person_a)
    actions = set(AuditEvent.objects.filter(person=person_a).values_list("action", flat=True))
    assert {Action.REFERRAL_SEND, Action.REFERRAL_ACCEPT, Action.CASE_OPEN} <= actions


def test_only_the_receiver_decides_and_only_the_sender_withdraws(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    referral = send(cast, person_a)
    with pytest.raises(ValidationError):
        services.referral_accept(actor=cast.operator_a, referral=referral)
    with pytest.raises(ValidationError):
        services.referral_withdraw(actor=cast.operator_b, referral=referral)
    services.referral_withdraw(actor=cast.operator_a, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.referral_accept(actor=cast.operator_b, referral=referral)
    assert not Case.objects.filter(organisation=cast.org_b).exists()


def test_reject_needs_a_reason_and_is_timestamped(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    referral = send(cast, person_a)
    with pytest.raises(ValidationError) as error:
        services.referral_reject(actor=cast.operator_b, referral=referral, reason="  ")
    assert "reason" in error.value.message_dict
    services.referral_reject(actor=cast.operator_b, referral=referral, reason="No places until June.")
    referral.refresh_from_db()
    assert (referral.status, referral.rejection_reason) == ("rejected", "No places until June.")
    assert referral.decided_at is not None


def test_accepting_after_the_consent_was_withdrawn_is_refused(cast, person_a):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    referral = send(cast, person_a)
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    with pytest.raises(ValidationError):
        services.referral_accept(actor=cast.operator_b, referral=referral)


def test_the_same_referral_is_not_sent_twice_while_waiting(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    send(cast, person_a)
    with pytest.raises(ValidationError):
        send(cast, person_a)


def test_a_referral_inside_the_organisation_rests_on_the_care_consent(cast, person_a):
    with pytest.raises(ValidationError):
        send(cast, person_a, from_unit=cast.unit_a, to_unit=cast.cps_a)
    make_consent(person=person_a, organisation=cast.org_a, recorded_by=cast.operator_a, purpose="care")
    assert send(cast, person_a, to_unit=cast.cps_a).consent.purpose == "care"


def test_sending_from_a_unit_that_is_not_mine(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    with pytest.raises(ValidationError) as error:
        send(cast, person_a, from_unit=cast.unit_b, to_unit=cast.unit_a)
    assert "from_unit" in error.value.message_dict


def test_case_manager_must_belong_to_the_receiving_organisation(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    referral = send(cast, person_a)
    with pytest.raises(ValidationError) as error:
        services.referral_accept(actor=cast.operator_b, referral=referral, case_manager=cast.operator_a)
    assert "case_manager" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_open_close_and_the_stale_version(cast, person_a):
    case = services.case_open(actor=cast.operator_a, person=person_a, unit=cast.cps_a, area="housing")
    with pytest.raises(ValidationError):
        services.case_open(actor=cast.operator_a, person=person_a, unit=cast.cps_a, area="housing")
    with pytest.raises(StaleObjectError):
        services.case_close(
            actor=cast.operator_a,
            case=case,
            closed_on=timezone.localdate(),
            closing_reason="moved",
            version=case.version + 1,
        )
    closed = services.case_close(
        actor=cast.operator_a, case=case, closed_on=timezone.localdate(), closing_reason="moved", version=case.version
    )
    assert (closed.status, closed.version) == ("closed", 2)
    with pytest.raises(ValidationError):
        services.case_close(actor=cast.operator_a, case=closed, closed_on=timezone.localdate(), closing_reason="moved")


@pytest.mark.parametrize("closed_on", [datetime.date(2024, 12, 31), timezone.localdate() + datetime.timedelta(days=1)])
def test_closing_dates_outside_the_case_are_refused(cast, person_a, closed_on):
    case = Case.objects.get(person=person_a)
    with pytest.raises(ValidationError) as error:
        services.case_close(actor=cast.operator_a, case=case, closed_on=closed_on, closing_reason="moved")
    assert "closed_on" in error.value.message_dict
    case.refresh_from_db()
    assert case.is_open


def test_cases_are_opened_only_in_my_units_and_for_persons_i_see(cast, person_a):
    with pytest.raises(ValidationError):
        services.case_open(actor=cast.operator_a, person=person_a, unit=cast.unit_b, area="work")
    with pytest.raises(PermissionDenied):
        services.case_open(actor=cast.operator_b, person=person_a, unit=cast.unit_b, area="work")


def test_sharing_alone_does_not_let_an_organisation_take_the_person_in_charge(cast, person_a):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    with pytest.raises(ValidationError) as error:
        services.case_open(actor=cast.operator_b, person=person_a, unit=cast.unit_b, area="work")
    assert error.value.error_dict["unit"][0].code == "no_consent"
    assert not Case.objects.filter(organisation=cast.org_b).exists()
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, purpose="care")
    case = services.case_open(actor=cast.operator_b, person=person_a, unit=cast.unit_b, area="work")
    assert case.organisation == cast.org_b


def test_assign_to_a_colleague_and_not_to_a_stranger(cast, person_a):
    case = Case.objects.get(person=person_a)
    services.case_assign(actor=cast.coordinator_a, case=case, case_manager=cast.coordinator_a)
    case.refresh_from_db()
    assert case.case_manager == cast.coordinator_a
    with pytest.raises(ValidationError):
        services.case_assign(actor=cast.coordinator_a, case=case, case_manager=cast.operator_b)
    assert AuditEvent.objects.filter(action=Action.CASE_UPDATE, person=person_a).count() == 1


def test_an_inactive_unit_receives_no_referrals(cast, person_a):
    third = Organisation.objects.create(name="Cooperativa Sociale Esempio", kind=OrganisationKind.SOCIAL_COOP)
    closed_unit = Unit.objects.create(
        organisation=third, name="Sportello chiuso", kind=UnitKind.OFFICE, is_active=False
    )
    make_user("coop_op", closed_unit, Role.OPERATOR)
    make_consent(person=person_a, organisation=third, recorded_by=cast.operator_a)
    with pytest.raises(ValidationError) as error:
        send(cast, person_a, to_unit=closed_unit)
    assert "to_unit" in error.value.message_dict
