"""The past of a path imported from an old system: its checks waived, not left overdue; a past drop-out ends only
what was running then."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.choices import Action
from audit.models import AuditEvent
from paths import services
from paths.choices import PathKind, PathStatus


@pytest.fixture
def old_hiring(cast, person_a, host):
    path = services.path_create(
        actor=cast.operator_a, person=person_a, case=person_a.cases.get(), kind=PathKind.HIRING_OPEN_ENDED,
        host=host, starts_on=datetime.date(2019, 10, 1),
    )  # fmt: skip
    return services.path_transition(
        actor=cast.operator_a, path=path, to_status=PathStatus.ACTIVE, on=datetime.date(2019, 10, 1)
    )


def test_the_checks_due_before_a_day_are_waived_and_the_others_kept(cast, old_hiring):
    assert old_hiring.follow_ups.count() == 4
    waived = services.follow_ups_waive_before(
        actor=cast.coordinator_a, path=old_hiring, before=datetime.date(2020, 2, 1)
    )
    assert waived == 2
    kept = old_hiring.follow_ups.filter(cancelled=False).values_list("months", flat=True)
    assert sorted(kept) == [6, 12]
    event = AuditEvent.objects.get(action=Action.PATH_SAVE, detail__follow_ups_waived=2)
    assert event.detail["before"] == "2020-02-01" and event.person_id == old_hiring.person_id
    # Nothing left to waive: no change, no audit.
    assert (
        services.follow_ups_waive_before(actor=cast.coordinator_a, path=old_hiring, before=datetime.date(2020, 2, 1))
        == 0
    )
    assert AuditEvent.objects.filter(detail__follow_ups_waived__isnull=False).count() == 1


def test_a_check_done_stays_done(cast, old_hiring):
    first = old_hiring.follow_ups.get(months=1)
    services.follow_up_record(
        actor=cast.operator_a, follow_up=first, outcome="stable", done_on=datetime.date(2019, 11, 2)
    )
    assert (
        services.follow_ups_waive_before(actor=cast.coordinator_a, path=old_hiring, before=datetime.date(2021, 1, 1))
        == 3
    )
    first.refresh_from_db()
    assert (first.cancelled, first.outcome) == (False, "stable")


def test_another_organisation_cannot_waive_the_checks(cast, old_hiring):
    with pytest.raises(PermissionDenied):
        services.follow_ups_waive_before(actor=cast.coordinator_b, path=old_hiring, before=datetime.date(2021, 1, 1))
    assert not old_hiring.follow_ups.filter(cancelled=True).exists()


def test_a_drop_out_of_the_past_ends_only_what_was_running_then(cast, person_a, old_hiring):
    from cases.models import Case
    from paths.choices import EventKind

    case = person_a.cases.get()  # opened 15/01/2025, after the drop-out below
    event = services.event_record(
        actor=cast.operator_a, person=person_a, kind=EventKind.DROP_OUT, occurred_on=datetime.date(2020, 6, 1),
        running_then_only=True,
    )  # fmt: skip
    old_hiring.refresh_from_db()
    assert (old_hiring.status, old_hiring.ended_on, old_hiring.interruption_reason) == (
        "interrupted", datetime.date(2020, 6, 1), "drop_out"
    )  # fmt: skip
    assert Case.objects.get(pk=case.pk).is_open and event.case is None
