"""Governance services: agreement status transitions and dates, meetings, decisions; nothing half-saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from audit.choices import Action
from audit.models import AuditEvent
from governance import services
from governance.choices import AgreementStatus, MeetingKind
from governance.models import Agreement, Decision, Meeting
from governance.tests.conftest import make_agreement, make_decision, make_meeting

pytestmark = pytest.mark.django_db

S = AgreementStatus
TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


def save(cast, agreement=None, *, actor=None, **fields):
    values = {"title": "Protocollo dimissioni protette", "parties": [cast.org_a, cast.org_b], "status": S.ABSENT}
    if agreement is not None:
        values.update(
            title=agreement.title,
            parties=list(agreement.parties.all()),
            status=agreement.status,
            signed_on=agreement.signed_on,
            renewal_on=agreement.renewal_on,
        )
    values.update(fields)
    return services.agreement_save(actor=actor or cast.coordinator_a, agreement=agreement, **values)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_a_coordinator_records_an_agreement_and_it_is_audited(cast):
    agreement = save(cast)
    assert agreement.status == S.ABSENT
    assert agreement.organisation == cast.org_a
    assert set(agreement.parties.all()) == {cast.org_a, cast.org_b}
    event = AuditEvent.objects.get(object_type="governance.agreement", object_id=str(agreement.pk))
    assert event.action == Action.PROGRAMME_SAVE
    assert event.detail["created"] is True


def test_an_agreement_goes_through_its_steps_to_signature_and_renewal(cast):
    agreement = save(cast)
    for step in (S.WORKING_GROUP, S.DRAFTING):
        agreement = save(cast, agreement, status=step)
    agreement = save(cast, agreement, status=S.SIGNED, signed_on=LAST_YEAR, renewal_on=TODAY)
    agreement = save(cast, agreement, status=S.TO_RENEW)
    agreement = save(cast, agreement, status=S.SIGNED, signed_on=TODAY, renewal_on=TODAY + datetime.timedelta(365))
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signed_on) == (S.SIGNED, TODAY)


@pytest.mark.parametrize(
    ("start", "to"),
    [(S.SIGNED, S.ABSENT), (S.SIGNED, S.WORKING_GROUP), (S.TO_RENEW, S.ABSENT), (S.DRAFTING, S.ABSENT)],
)
def test_a_status_cannot_jump_backwards(cast, start, to):
    agreement = make_agreement(cast, status=start, signed_on=LAST_YEAR)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        save(cast, agreement, status=to, signed_on=None)
    assert "cannot go from" in errors_of(exc)["status"][0]
    agreement.refresh_from_db()
    assert agreement.status == start


def test_signed_needs_the_date_of_signature(cast):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        save(cast, status=S.SIGNED)
    assert errors_of(exc)["signed_on"] == ["Enter the date the agreement was signed."]
    assert not Agreement.objects.exists()


def test_a_renewal_before_the_signature_is_refused_with_a_clear_message(cast):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        save(cast, status=S.SIGNED, signed_on=LAST_YEAR, renewal_on=LAST_YEAR - datetime.timedelta(days=1))
    assert errors_of(exc)["renewal_on"] == ["The renewal date must come after the date of signature."]
    assert not Agreement.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.PROGRAMME_SAVE).exists()


def test_a_renewal_date_needs_a_signature_and_a_signature_is_not_in_the_future(cast):
    with pytest.raises(ValidationError) as exc:
        save(cast, status=S.DRAFTING, renewal_on=TODAY)
    assert "renewal_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        save(cast, status=S.SIGNED, signed_on=TODAY + datetime.timedelta(days=1))
    assert "signed_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        save(cast, status=S.WORKING_GROUP, signed_on=LAST_YEAR)
    assert "signed_on" in errors_of(exc)
    assert not Agreement.objects.exists()


def test_a_renewal_is_signed_after_the_signature_it_renews(cast):
    agreement = make_agreement(cast, status=S.TO_RENEW, signed_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        save(cast, agreement, status=S.SIGNED, signed_on=LAST_YEAR)
    assert "signed_on" in errors_of(exc)


def test_the_recording_organisation_must_be_a_party(cast):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        save(cast, parties=[cast.org_b])
    assert errors_of(exc)["parties"] == ["Your organisation must be one of the parties."]
    with pytest.raises(ValidationError):
        save(cast, parties=[])


def test_only_coordinators_of_a_party_change_an_agreement(cast):
    with pytest.raises(PermissionDenied):
        save(cast, actor=cast.operator_a)
    with pytest.raises(PermissionDenied):
        save(cast, actor=cast.analyst)
    agreement = make_agreement(cast, parties=[cast.org_a])
    with pytest.raises(PermissionDenied):
        save(cast, agreement, actor=cast.coordinator_b, parties=[cast.org_a, cast.org_b])
    shared = make_agreement(cast, parties=[cast.org_a, cast.org_b])
    assert save(cast, shared, actor=cast.coordinator_b, status=S.SIGNED, signed_on=TODAY).status == S.SIGNED


def meeting_values(cast, **fields):
    values = {
        "kind": MeetingKind.CABINA,
        "held_on": TODAY - datetime.timedelta(days=7),
        "organisation": cast.org_a,
        "organisations": [cast.org_b],
        "participants": [cast.coordinator_a, cast.operator_b],
        "agenda": "1. Avvio",
        "minutes": "Si approva il cronoprogramma.",
    }
    values.update(fields)
    return values


def test_a_coordinator_records_a_meeting_with_minutes(cast):
    meeting = services.meeting_save(actor=cast.coordinator_a, **meeting_values(cast))
    assert set(meeting.participants.all()) == {cast.coordinator_a, cast.operator_b}
    assert meeting.minutes == "Si approva il cronoprogramma."
    assert AuditEvent.objects.filter(object_type="governance.meeting", action=Action.PROGRAMME_SAVE).count() == 1


def test_meeting_rules(cast):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.meeting_save(actor=cast.coordinator_a, **meeting_values(cast, held_on=TODAY + datetime.timedelta(1)))
    assert errors_of(exc)["minutes"] == ["Minutes can be recorded once the meeting has been held."]
    with pytest.raises(ValidationError) as exc:
        services.meeting_save(actor=cast.coordinator_a, **meeting_values(cast, organisations=[]))
    assert "participants" in errors_of(exc)  # operator_b's organisation does not take part
    with pytest.raises(ValidationError) as exc:
        services.meeting_save(actor=cast.coordinator_a, **meeting_values(cast, organisation=cast.org_b))
    assert "organisation" in errors_of(exc)
    with pytest.raises(PermissionDenied):
        services.meeting_save(actor=cast.operator_a, **meeting_values(cast))
    assert not Meeting.objects.exists()


def test_a_participating_coordinator_changes_the_meeting_but_another_organisation_does_not(cast):
    meeting = make_meeting(cast, organisations=[cast.org_b])
    values = meeting_values(cast, participants=[])
    changed = services.meeting_save(actor=cast.coordinator_b, meeting=meeting, **values)
    assert changed.kind == MeetingKind.CABINA
    alone = make_meeting(cast)
    with pytest.raises(PermissionDenied):
        services.meeting_save(actor=cast.coordinator_b, meeting=alone, **values)


def test_decisions_need_an_owner_of_the_meeting_and_a_due_date_after_it(cast):
    meeting = make_meeting(cast, organisations=[cast.org_b], held_on=LAST_YEAR)
    with pytest.raises(ValidationError) as exc:
        services.decision_add(actor=cast.coordinator_a, meeting=meeting, text="Bozza")
    assert "owner_organisation" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.decision_add(actor=cast.coordinator_a, meeting=meeting, text="Bozza", owner_organisation=cast.ats)
    assert "owner_organisation" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.decision_add(
            actor=cast.coordinator_a, meeting=meeting, text="Bozza", owner_user=cast.operator_b,
            due_on=LAST_YEAR - datetime.timedelta(days=1),
        )  # fmt: skip
    assert list(errors_of(exc)) == ["due_on"]
    decision = services.decision_add(
        actor=cast.coordinator_a, meeting=meeting, text="Bozza", owner_user=cast.operator_b, due_on=TODAY
    )
    assert decision.owner == cast.operator_b
    assert Decision.objects.count() == 1


def test_marking_a_decision_done(cast):
    meeting = make_meeting(cast, organisations=[cast.org_b], held_on=LAST_YEAR)
    decision = make_decision(meeting, owner_organisation=cast.org_b, owner_user=cast.operator_b)
    with pytest.raises(ValidationError):
        services.decision_mark_done(actor=cast.operator_b, decision=decision, done_on=TODAY + datetime.timedelta(1))
    with pytest.raises(ValidationError):
        services.decision_mark_done(actor=cast.operator_b, decision=decision, done_on=LAST_YEAR - datetime.timedelta(1))
    done = services.decision_mark_done(actor=cast.operator_b, decision=decision)
    assert (done.done, done.done_on, done.done_by) == (True, TODAY, cast.operator_b)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.decision_mark_done(actor=cast.coordinator_a, decision=decision)
    assert exc.value.messages == ["This decision is already marked done."]


def test_someone_unrelated_cannot_mark_a_decision_done(cast):
    meeting = make_meeting(cast)
    decision = make_decision(meeting)
    with pytest.raises(PermissionDenied):
        services.decision_mark_done(actor=cast.operator_a, decision=decision)
    with pytest.raises(PermissionDenied):
        services.decision_mark_done(actor=cast.coordinator_b, decision=decision)
    decision.refresh_from_db()
    assert not decision.done
