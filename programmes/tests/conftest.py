"""Fixtures of the programmes tests: the shipped programmes, and records arranged directly with known dates."""

import datetime

import pytest
from django.utils import timezone

from cases.choices import Area, CaseStatus, ReferralStatus
from cases.models import Case, Referral
from core.testing.cast import make_case, make_consent, make_person
from programmes.loader import load_programmes


@pytest.fixture
def programmes(db):
    load_programmes()


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def make_referral(cast, person, *, sent: datetime.date, decided: datetime.date | None = None, accept: bool = True,
                  to_unit=None, from_unit=None):  # fmt: skip
    """A referral from A's CPS to A's Polo Lavoro (by default), sent and perhaps decided on the given days."""
    to_unit = to_unit or cast.unit_a
    from_unit = from_unit or cast.cps_a
    consent = make_consent(person=person, organisation=to_unit.organisation, recorded_by=cast.operator_a)
    case = None
    status = ReferralStatus.SENT
    if decided is not None and accept:
        case = make_case(person=person, unit=to_unit, area=Area.HOUSING, opened_on=decided)
        status = ReferralStatus.ACCEPTED
    elif decided is not None:
        status = ReferralStatus.REJECTED
    return Referral.objects.create(
        person=person,
        from_unit=from_unit,
        to_unit=to_unit,
        from_organisation=from_unit.organisation,
        to_organisation=to_unit.organisation,
        area=Area.WORK,
        reason="Inserimento lavorativo",
        consent=consent,
        status=status,
        sent_at=aware(sent),
        sent_by=cast.operator_a,
        decided_at=aware(decided) if decided else None,
        decided_by=cast.operator_a if decided else None,
        rejection_reason="" if accept or decided is None else "Non appropriato",
        case=case,
    )


def close(case: Case, on: datetime.date, reason: str) -> Case:
    case.status, case.closed_on, case.closing_reason = CaseStatus.CLOSED, on, reason
    case.save()
    return case


def person_of(org, **fields):
    return make_person(registered_by=org, **fields)
