"""A referral rejected or withdrawn on a past day (the history of an old system): the checks and audit events of the
pages, at the day given."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from audit.choices import Action
from audit.models import AuditEvent
from cases import services
from cases.models import Referral
from core.testing.cast import make_consent, make_person

D = datetime.date
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def old_referral(cast):
    """A referral of a person of A to B's Polo Lavoro sent on 10/03/2015, resting on a sharing consent of 2014."""
    person = make_person(registered_by=cast.org_a)
    consent = make_consent(
        person=person, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=D(2014, 1, 1),
        withdrawn_on=D(2016, 1, 1),
    )  # fmt: skip
    return Referral.objects.create(
        person=person, from_unit=cast.unit_a, to_unit=cast.unit_b, from_organisation=cast.org_a,
        to_organisation=cast.org_b, area="work", reason="Inserimento", consent=consent,
        sent_at=timezone.make_aware(datetime.datetime(2015, 3, 10, 12)), sent_by=cast.operator_a,
    )  # fmt: skip


def _errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {name: " ".join(ValidationError(errors).messages) for name, errors in error.error_dict.items()}
    return {"__all__": " ".join(error.messages)}


def test_a_referral_rejected_on_a_past_day_keeps_that_day_and_its_reason(cast, old_referral):
    got = services.referral_reject_on(
        actor=cast.coordinator_b, referral=old_referral, decided_on=D(2015, 3, 24), reason=" Nessun posto ",
        detail={"imported": 5},
    )  # fmt: skip
    old_referral.refresh_from_db()
    assert got == old_referral
    assert (old_referral.status, old_referral.rejection_reason, old_referral.decided_by, old_referral.case) == (
        "rejected", "Nessun posto", cast.coordinator_b, None
    )  # fmt: skip
    assert timezone.localtime(old_referral.decided_at).date() == D(2015, 3, 24)
    event = AuditEvent.objects.get(action=Action.REFERRAL_REJECT)
    assert (event.object_id, event.person_id, event.organisation_id, event.actor) == (
        str(old_referral.pk), old_referral.person_id, cast.org_b.pk, cast.coordinator_b
    )  # fmt: skip
    assert event.detail == {"decided_on": "2015-03-24", "imported": 5}


def test_a_referral_withdrawn_on_a_past_day_keeps_that_day(cast, old_referral):
    services.referral_withdraw_on(actor=cast.coordinator_a, referral=old_referral, withdrawn_on=D(2015, 4, 2))
    old_referral.refresh_from_db()
    assert (old_referral.status, old_referral.decided_at, old_referral.decided_by) == ("withdrawn", None, None)
    assert timezone.localtime(old_referral.withdrawn_at).date() == D(2015, 4, 2)
    event = AuditEvent.objects.get(action=Action.REFERRAL_WITHDRAW)
    assert (event.object_id, event.organisation_id, event.detail) == (
        str(old_referral.pk), cast.org_a.pk, {"withdrawn_on": "2015-04-02"}
    )  # fmt: skip


def test_a_decision_after_the_consent_was_withdrawn_may_still_be_a_rejection(cast, old_referral):
    """Rejecting, unlike accepting, does not rest on the consent: a late answer to an old referral goes in."""
    services.referral_reject_on(
        actor=cast.coordinator_b, referral=old_referral, decided_on=D(2016, 6, 1), reason="Tardi"
    )
    assert Referral.objects.get(pk=old_referral.pk).status == "rejected"


REJECTIONS = [
    ("coordinator_b", {"decided_on": D(2015, 3, 9)}, "decided_on", "cannot be before 10/03/2015"),
    ("coordinator_b", {"decided_on": TOMORROW}, "decided_on", "cannot be in the future"),
    ("coordinator_b", {"decided_on": None}, "decided_on", "Give the day the referral was decided"),
    ("coordinator_b", {"reason": "  "}, "reason", "Say why the referral is rejected"),
    ("coordinator_a", {}, "__all__", "Only the receiving organisation can decide"),  # the sender does not decide
    ("operator_a", {}, "__all__", "Only the receiving organisation can decide"),
    ("analyst", {}, "__all__", "Only the receiving organisation can decide"),
]


@pytest.mark.parametrize(("who", "over", "field", "message"), REJECTIONS)
def test_a_past_rejection_follows_the_rules_at_its_date(cast, old_referral, who, over, field, message):
    data = {"decided_on": D(2015, 3, 24), "reason": "Nessun posto", **over}
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.referral_reject_on(actor=getattr(cast, who), referral=old_referral, **data)
    assert message in _errors(error.value)[field]
    assert Referral.objects.get(pk=old_referral.pk).status == "sent"
    assert not AuditEvent.objects.filter(action=Action.REFERRAL_REJECT).exists()


WITHDRAWALS = [
    ("coordinator_a", {"withdrawn_on": D(2015, 3, 1)}, "withdrawn_on", "cannot be before 10/03/2015"),
    ("coordinator_a", {"withdrawn_on": TOMORROW}, "withdrawn_on", "cannot be in the future"),
    ("coordinator_a", {"withdrawn_on": None}, "withdrawn_on", "Give the day the referral was withdrawn"),
    ("coordinator_b", {}, "__all__", "Only the sending organisation can withdraw"),  # the receiver does not withdraw
    ("operator_b", {}, "__all__", "Only the sending organisation can withdraw"),
    ("sysadmin", {}, "__all__", "Only the sending organisation can withdraw"),
]


@pytest.mark.parametrize(("who", "over", "field", "message"), WITHDRAWALS)
def test_a_past_withdrawal_follows_the_rules_at_its_date(cast, old_referral, who, over, field, message):
    data = {"withdrawn_on": D(2015, 4, 2), **over}
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.referral_withdraw_on(actor=getattr(cast, who), referral=old_referral, **data)
    assert message in _errors(error.value)[field]
    assert Referral.objects.get(pk=old_referral.pk).status == "sent"
    assert not AuditEvent.objects.filter(action=Action.REFERRAL_WITHDRAW).exists()


def test_a_decided_referral_is_neither_rejected_nor_withdrawn_on_a_past_day(cast, old_referral):
    services.referral_withdraw_on(actor=cast.coordinator_a, referral=old_referral, withdrawn_on=D(2015, 4, 2))
    with translation.override("en"):
        with pytest.raises(ValidationError) as rejected:
            services.referral_reject_on(
                actor=cast.coordinator_b, referral=old_referral, decided_on=D(2015, 4, 3), reason="Nessun posto"
            )
        with pytest.raises(ValidationError) as withdrawn:
            services.referral_withdraw_on(actor=cast.coordinator_a, referral=old_referral, withdrawn_on=D(2015, 4, 3))
    for error in (rejected, withdrawn):
        assert "no longer waiting: its status is Withdrawn" in _errors(error.value)["__all__"]
    referral = Referral.objects.get(pk=old_referral.pk)
    assert (referral.status, timezone.localtime(referral.withdrawn_at).date()) == ("withdrawn", D(2015, 4, 2))
    assert AuditEvent.objects.filter(action__in=[Action.REFERRAL_REJECT, Action.REFERRAL_WITHDRAW]).count() == 1
