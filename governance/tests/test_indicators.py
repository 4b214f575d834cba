"""The governance indicators on hand-built data with known counts, including an empty period and scopes."""

import datetime

import pytest
from django.utils import timezone

from governance.choices import AgreementStatus, MeetingKind
from governance.tests.conftest import make_agreement, make_meeting
from programmes.indicators import REGISTRY, Scope, compute
from programmes.selectors import figure_for, make_scope

pytestmark = pytest.mark.django_db

Y2025 = Scope(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
D = datetime.date


@pytest.fixture
def governance_data(cast):
    """2025: A organises two working tables and a UVM session (B takes part in the UVM), B a Cabina; one
    cancelled table, one in 2024. Agreements signed: two in 2025 (one with B as a party), one in 2024, one not
    signed."""
    make_meeting(cast, held_on=D(2025, 2, 3), kind=MeetingKind.WORKING_TABLE)
    make_meeting(cast, held_on=D(2025, 12, 31), kind=MeetingKind.WORKING_TABLE)
    make_meeting(cast, held_on=D(2025, 5, 6), kind=MeetingKind.UVM, organisations=[cast.org_b])
    make_meeting(cast, held_on=D(2025, 6, 1), kind=MeetingKind.CABINA, organisation=cast.org_b)
    make_meeting(cast, held_on=D(2025, 7, 1), kind=MeetingKind.WORKING_TABLE, cancelled=True)
    make_meeting(cast, held_on=D(2024, 12, 31), kind=MeetingKind.WORKING_TABLE)
    signed = AgreementStatus.SIGNED
    make_agreement(cast, title="Uno", status=signed, signed_on=D(2025, 1, 1))
    make_agreement(cast, title="Due", status=signed, signed_on=D(2025, 9, 30), parties=[cast.org_a, cast.org_b])
    make_agreement(cast, title="Tre", status=signed, signed_on=D(2024, 11, 5))
    make_agreement(cast, title="Quattro", status=AgreementStatus.DRAFTING)


def test_meetings_held_in_the_period_by_kind(governance_data):
    result = compute("governance.meetings_held", Y2025)
    assert result.value == 4
    assert dict(result.rows) == {
        str(MeetingKind.CABINA.label): 1,
        str(MeetingKind.WORKING_TABLE.label): 2,
        str(MeetingKind.UVM.label): 1,
    }
    assert compute("governance.working_table_meetings", Y2025).value == 2
    assert compute("governance.uvm_meetings", Y2025).value == 1


def test_agreements_signed_in_the_period(governance_data):
    assert compute("governance.agreements_signed", Y2025).value == 2
    assert compute("governance.agreements_signed", Scope(start=D(2024, 1, 1), end=D(2024, 12, 31))).value == 1


def test_the_scope_organisations_count_organisers_participants_and_parties(cast, governance_data):
    scope_b = make_scope(start=Y2025.start, end=Y2025.end, organisation=cast.org_b)
    assert compute("governance.meetings_held", scope_b).value == 2  # B's Cabina and the UVM B took part in
    assert compute("governance.agreements_signed", scope_b).value == 1
    scope_a = make_scope(start=Y2025.start, end=Y2025.end, organisation=cast.org_a)
    assert compute("governance.meetings_held", scope_a).value == 3
    assert compute("governance.agreements_signed", scope_a).value == 2


def test_an_empty_period_counts_zero(governance_data):
    empty = Scope(start=D(2020, 1, 1), end=D(2020, 12, 31))
    for key in ("governance.meetings_held", "governance.agreements_signed", "governance.uvm_meetings"):
        result = compute(key, empty)
        assert (result.value, result.rows) == (0, []), key


def test_meetings_to_come_are_not_held_yet(cast):
    today = timezone.localdate()
    make_meeting(cast, held_on=today + datetime.timedelta(days=1))
    make_meeting(cast, held_on=today)
    scope = Scope(start=today - datetime.timedelta(days=10), end=today + datetime.timedelta(days=10))
    assert compute("governance.meetings_held", scope).value == 1


def test_the_analyst_gets_small_counts_suppressed_like_every_figure(cast, governance_data):
    assert figure_for(cast.analyst, "governance.meetings_held", Y2025).value is None
    own = make_scope(start=Y2025.start, end=Y2025.end, organisation=cast.org_a)
    assert figure_for(cast.coordinator_a, "governance.meetings_held", own).value == 3


def test_the_indicators_are_registered_and_documented():
    for key in ("governance.meetings_held", "governance.working_table_meetings", "governance.uvm_meetings",
                "governance.agreements_signed"):  # fmt: skip
        assert REGISTRY[key].description, key
