"""A referral sent on a past day (the history of an old system): recorded by the sender or the receiver, with the
checks of the page at that day, and its audit event."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from cases import services
from cases.models import Referral
from core.testing.cast import make_case, make_consent, make_person

D = datetime.date


@pytest.fixture
def person(cast):
    """A person of A who consented to share with B from 2014 to 2016."""
    person = make_person(registered_by=cast.org_a)
    make_consent(person=person, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=D(2014, 1, 1),
                 withdrawn_on=D(2016, 1, 1))  # fmt: skip
    return person


def send(cast, person, actor=None, **over):
    values = {"from_unit": cast.unit_a, "to_unit": cast.unit_b, "area": "work", "reason": " Inserimento ",
              "sent_on": D(2015, 3, 10)}  # fmt: skip
    values.update(over)
    return services.referral_send_on(actor=actor or cast.operator_a, person=person, **values)


def test_the_sender_records_a_referral_of_the_past_on_its_day(cast, person):
    referral = send(cast, person, detail={"imported": 7})
    assert (referral.status, referral.reason, referral.sent_by, referral.consent.given_on) == (
        "sent", "Inserimento", cast.operator_a, D(2014, 1, 1)
    )  # fmt: skip
    assert timezone.localtime(referral.sent_at).date() == D(2015, 3, 10)
    event = AuditEvent.objects.get(action=Action.REFERRAL_SEND)
    assert (event.person_id, event.organisation_id, event.detail["sent_on"], event.detail["imported"]) == (
        person.pk, cast.org_a.pk, "2015-03-10", 7
    )  # fmt: skip


def test_the_receiver_records_a_referral_it_received(cast, person):
    make_case(person=person, unit=cast.unit_b)
    referral = send(cast, person, actor=cast.operator_b)
    assert referral.to_organisation == cast.org_b and referral.sent_by == cast.operator_b


@pytest.mark.parametrize(
    "over, field",
    [
        ({"sent_on": D(2017, 3, 10)}, "sent_on"),  # the consent was withdrawn by then
        ({"sent_on": D(2013, 3, 10)}, "sent_on"),  # and not yet given
        ({"sent_on": timezone.localdate() + datetime.timedelta(days=1)}, "sent_on"),
        ({"reason": "  "}, "reason"),
        ({"to_unit": "unit_a"}, "to_unit"),
    ],
)
def test_what_the_page_refuses_on_that_day_is_refused(cast, person, over, field):
    if over.get("to_unit") == "unit_a":
        over = {"to_unit": cast.unit_a}
    with pytest.raises(ValidationError) as error:
        send(cast, person, **over)
    assert field in error.value.message_dict
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(action=Action.REFERRAL_SEND).exists()


def test_a_second_waiting_referral_and_strangers_are_refused(cast, person):
    send(cast, person)
    with pytest.raises(ValidationError):
        send(cast, person, sent_on=D(2015, 6, 1))
    stranger = make_person(registered_by=cast.org_b)
    with pytest.raises(PermissionDenied):
        send(cast, stranger)  # A sends for a person it does not treat
    with pytest.raises(ValidationError):
        send(cast, person, actor=cast.analyst)  # neither unit is the analyst's
    hidden = make_person(registered_by=cast.org_a)
    make_consent(person=hidden, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=D(2014, 1, 1),
                 withdrawn_on=D(2016, 1, 1))  # fmt: skip
    with pytest.raises(PermissionDenied):
        send(cast, hidden, actor=cast.operator_b)  # the receiver no longer reaches the person
