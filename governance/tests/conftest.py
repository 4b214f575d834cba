"""Fixtures of the governance tests: rows arranged directly (services are what the tests act through)."""

import datetime

import pytest

from governance.choices import AgreementStatus, MeetingKind
from governance.models import Agreement, Decision, Meeting
from programmes.models import Programme


def make_agreement(cast, *, parties=None, title="Protocollo d'intesa", **fields):
    """An agreement recorded by A's coordinator, A (and `parties`) as parties."""
    parties = parties if parties is not None else [cast.org_a]
    fields.setdefault("status", AgreementStatus.DRAFTING)
    agreement = Agreement.objects.create(title=title, organisation=parties[0], created_by=cast.coordinator_a, **fields)
    agreement.parties.set(parties)
    return agreement


def make_meeting(cast, *, organisation=None, organisations=(), held_on=None, kind=MeetingKind.WORKING_TABLE, **fields):
    """A meeting organised by `organisation` (A by default)."""
    meeting = Meeting.objects.create(
        kind=kind,
        held_on=held_on or datetime.date(2025, 3, 10),
        organisation=organisation or cast.org_a,
        created_by=cast.coordinator_a,
        **fields,
    )
    meeting.organisations.set(organisations)
    return meeting


def make_decision(meeting, *, owner_organisation=None, owner_user=None, due_on=None, text="Redigere la bozza"):
    return Decision.objects.create(
        meeting=meeting,
        text=text,
        owner_organisation=owner_organisation or meeting.organisation,
        owner_user=owner_user,
        due_on=due_on,
    )


@pytest.fixture
def programme(db):
    return Programme.objects.create(
        code="test-programme",
        title="Programma di prova",
        short_title="Prova",
        owner="ATS",
        source_document="seed",
        source_file="test.yaml",
        content_hash="x",
    )
