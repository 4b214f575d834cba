"""Reopening an opportunity: the publisher's staff only, not once it has ended, audited like every change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from opportunities import services
from opportunities.tests.conftest import make_opportunity


def test_a_closed_opportunity_is_reopened_and_the_change_audited(cast):
    opportunity = make_opportunity(cast.org_a, status="closed")
    reopened = services.opportunity_reopen(actor=cast.operator_a, opportunity=opportunity)
    assert (reopened.status, reopened.version) == ("open", 2)
    event = AuditEvent.objects.get(action=Action.OPPORTUNITY_SAVE)
    assert event.detail == {"created": False, "fields": ["status"], "status": "open", "version": 2}
    # Reopening an open one changes nothing.
    again = services.opportunity_reopen(actor=cast.operator_a, opportunity=opportunity)
    assert again.version == 2 and AuditEvent.objects.filter(action=Action.OPPORTUNITY_SAVE).count() == 1


def test_only_the_publishers_staff_reopen(cast):
    opportunity = make_opportunity(cast.org_a, status="closed")
    for actor in (cast.operator_b, cast.company_referent, cast.clinician_a):
        with pytest.raises(PermissionDenied):
            services.opportunity_reopen(actor=actor, opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.status == "closed"


def test_an_ended_opportunity_stays_closed(cast):
    ended = timezone.localdate() - datetime.timedelta(days=1)
    opportunity = make_opportunity(cast.company, status="suspended", ends_on=ended)
    with pytest.raises(ValidationError) as error:
        services.opportunity_reopen(actor=cast.company_referent, opportunity=opportunity)
    assert "ends_on" in error.value.message_dict
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.version) == ("suspended", 1)
    assert not AuditEvent.objects.filter(action=Action.OPPORTUNITY_SAVE).exists()
