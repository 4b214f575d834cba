"""Arranging rows for API tests (the cast helpers cover persons, cases and consents)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.testing.cast import make_consent


def make_referral(*, person, from_unit, to_unit, sent_by, area="work", reason="Ready for a job path."):
    """A referral as sent, resting on a sharing consent to the receiving organisation."""
    from cases.models import Referral

    consent = make_consent(person=person, organisation=to_unit.organisation, recorded_by=sent_by)
    return Referral.objects.create(
        person=person,
        from_unit=from_unit,
        to_unit=to_unit,
        from_organisation=from_unit.organisation,
        to_organisation=to_unit.organisation,
        area=area,
        reason=reason,
        consent=consent,
        sent_at=timezone.now(),
        sent_by=sent_by,
    )


def queries_of(call) -> int:
    """How many SQL queries `call()` runs."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def all_keys(data) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in all_keys(value)}
    if isinstance(data, list):
        return {key for item in data for key in all_keys(item)}
    return set()
