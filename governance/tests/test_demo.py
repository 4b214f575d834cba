"""The demo governance data: valid by the services' rules, linked to the programmes, idempotent."""

import pytest
from django.utils import timezone

from demo.governance import seed_governance
from demo.network import build_network
from governance.choices import NEEDS_SIGNATURE
from governance.models import Agreement, Decision, Meeting
from governance.selectors import agreements_to_renew, open_decisions_past_due, upcoming_meetings
from programmes.models import Programme

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_agreements_and_meetings_per_programme_once():
    today = timezone.localdate()
    build_network(persons=0)
    first = seed_governance(today=today)
    assert first["agreements"] >= 8 and first["meetings"] >= 10
    assert seed_governance(today=today) == {"agreements": 0, "meetings": 0}
    for programme in Programme.objects.all():
        assert programme.agreements.count() >= 2, programme.code
        assert programme.meetings.count() >= 2, programme.code
    for agreement in Agreement.objects.all():
        assert agreement.organisation in agreement.parties.all()
        if agreement.status in NEEDS_SIGNATURE:
            assert agreement.signed_on is not None
        if agreement.renewal_on:
            assert agreement.renewal_on > agreement.signed_on
    for decision in Decision.objects.select_related("meeting"):
        allowed = {decision.meeting.organisation_id, *decision.meeting.organisations.values_list("pk", flat=True)}
        assert decision.owner_organisation_id in allowed
    assert not Meeting.objects.filter(held_on__gt=today).exclude(minutes="").exists()


def test_the_demo_coordinator_sees_something_in_every_section_of_the_home():
    today = timezone.localdate()
    net = build_network(persons=0)
    seed_governance(today=today)
    coordinator = net.users["coordinatore.sacco"]
    assert agreements_to_renew(coordinator, today=today).exists()
    assert upcoming_meetings(coordinator, today=today)
    assert open_decisions_past_due(coordinator, today=today).exists()
