"""The services of paths, follow-ups, events, activities and groups: their rules, history and audit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from cases.choices import CaseStatus, ClosingReason
from core.exceptions import StaleObjectError
from core.testing.cast import make_case, make_consent, make_person
from paths import selectors, services
from paths.choices import (
    ActivityKind,
    EnrolmentStatus,
    EventKind,
    FollowUpOutcome,
    InterruptionReason,
    PathKind,
    PathStatus,
)
from paths.models import Activity, FollowUp, Path, ProgrammeEvent
from paths.tests.conftest import internship_fields, make_host

D = Decimal


# ---------------------------------------------------------------------------------------------- paths


def test_planning_an_internship_records_history_and_audit(cast, internship, person_a):
    assert internship.status == PathStatus.PLANNED and internship.organisation == cast.org_a
    assert [c.to_status for c in internship.changes.all()] == [PathStatus.PLANNED]
    assert AuditEvent.objects.filter(action=Action.PATH_SAVE, person_id=person_a.pk).count() == 1


def test_an_internship_breaking_the_rules_is_refused_on_each_field(cast, person_a, case_a, host):
    fields = internship_fields(
        host, planned_end_on=datetime.date(2025, 9, 30), monthly_indemnity=D("340")
    )  # 4 hours a day: €350 at least
    with pytest.raises(ValidationError) as info:
        services.path_create(actor=cast.operator_a, person=person_a, case=case_a, **fields)
    assert set(info.value.message_dict) == {"planned_end_on", "monthly_indemnity"}
    assert not Path.objects.exists()


def test_the_hosts_limit_counts_every_organisations_interns(cast, person_a, case_a):
    small = make_host("Bottega Piccola", employees=4)
    other = make_person(registered_by=cast.org_b)
    other_case = make_case(person=other, unit=cast.unit_b, case_manager=cast.operator_b)
    services.path_create(actor=cast.operator_b, person=other, case=other_case, **internship_fields(small))
    with pytest.raises(ValidationError) as info:
        services.path_create(actor=cast.operator_a, person=person_a, case=case_a, **internship_fields(small))
    assert "host" in info.value.message_dict
    # After the other internship, the place is free again.
    later = internship_fields(small, starts_on=datetime.date(2025, 9, 1), planned_end_on=datetime.date(2026, 2, 28))
    assert services.path_create(actor=cast.operator_a, person=person_a, case=case_a, **later).pk


def test_another_organisation_cannot_plan_or_move_a_path(cast, internship, person_a, case_a, host):
    with pytest.raises(PermissionDenied):
        services.path_create(actor=cast.operator_b, person=person_a, case=case_a, **internship_fields(host))
    with pytest.raises(PermissionDenied):
        services.path_transition(actor=cast.operator_b, path=internship, to_status=PathStatus.ACTIVE)
    with pytest.raises(PermissionDenied):
        services.attendance_record(
            actor=cast.operator_b,
            path=internship,
            month=datetime.date(2025, 3, 1),
            planned_hours=D(80),
            attended_hours=D(80),
        )


def test_state_transitions_and_invalid_ones_refused(cast, internship):
    op = cast.operator_a
    with pytest.raises(ValidationError):  # planned cannot be completed
        services.path_transition(actor=op, path=internship, to_status=PathStatus.COMPLETED)
    path = services.path_transition(
        actor=op, path=internship, to_status=PathStatus.ACTIVE, on=datetime.date(2025, 3, 1)
    )
    path = services.path_transition(actor=op, path=path, to_status=PathStatus.SUSPENDED, on=datetime.date(2025, 4, 1))
    path = services.path_transition(actor=op, path=path, to_status=PathStatus.ACTIVE, on=datetime.date(2025, 4, 15))
    with pytest.raises(ValidationError) as info:  # an interruption needs its coded reason
        services.path_transition(actor=op, path=path, to_status=PathStatus.INTERRUPTED, on=datetime.date(2025, 5, 1))
    assert "reason" in info.value.message_dict
    path = services.path_transition(
        actor=op,
        path=path,
        to_status=PathStatus.INTERRUPTED,
        on=datetime.date(2025, 5, 1),
        reason=InterruptionReason.HOST_CHOICE,
    )
    assert path.ended_on == datetime.date(2025, 5, 1) and path.interruption_reason == InterruptionReason.HOST_CHOICE
    for to in (PathStatus.ACTIVE, PathStatus.COMPLETED):  # final states are final
        with pytest.raises(ValidationError):
            services.path_transition(actor=op, path=path, to_status=to)
    assert [c.to_status for c in path.changes.all()] == [
        PathStatus.PLANNED,
        PathStatus.ACTIVE,
        PathStatus.SUSPENDED,
        PathStatus.ACTIVE,
        PathStatus.INTERRUPTED,
    ]


def test_a_stale_version_is_refused(cast, internship):
    services.path_transition(actor=cast.operator_a, path=internship, to_status=PathStatus.ACTIVE, version=1)
    with pytest.raises(StaleObjectError):
        services.path_transition(
            actor=cast.coordinator_a,
            path=internship,
            to_status=PathStatus.INTERRUPTED,
            reason=InterruptionReason.OTHER,
            version=1,
        )


def test_conversion_to_a_hiring_schedules_the_follow_up(cast, internship):
    services.path_transition(actor=cast.operator_a, path=internship, to_status=PathStatus.ACTIVE)
    hiring = services.path_convert_to_hiring(
        actor=cast.operator_a, path=internship, kind=PathKind.HIRING_FIXED_TERM, starts_on=datetime.date(2025, 7, 1)
    )
    internship.refresh_from_db()
    assert internship.status == PathStatus.CONVERTED and internship.ended_on == datetime.date(2025, 6, 30)
    assert hiring.previous == internship and hiring.status == PathStatus.ACTIVE and hiring.host == internship.host
    assert [(f.months, f.due_on) for f in hiring.follow_ups.all()] == [
        (1, datetime.date(2025, 8, 1)),
        (3, datetime.date(2025, 10, 1)),
        (6, datetime.date(2026, 1, 1)),
        (12, datetime.date(2026, 7, 1)),
    ]
    with pytest.raises(ValidationError):  # a hiring is not converted again, nor is a converted internship
        services.path_convert_to_hiring(
            actor=cast.operator_a, path=internship, kind=PathKind.HIRING_OPEN_ENDED, starts_on=datetime.date(2025, 7, 1)
        )


def test_a_plain_transition_cannot_convert(cast, internship):
    with pytest.raises(ValidationError):
        services.path_transition(actor=cast.operator_a, path=internship, to_status=PathStatus.CONVERTED)


# ---------------------------------------------------------------------------------------------- attendance


def test_monthly_attendance_computes_the_indemnity(cast, internship):
    services.path_transition(actor=cast.operator_a, path=internship, to_status=PathStatus.ACTIVE)
    row = services.attendance_record(
        actor=cast.operator_a,
        path=internship,
        month=datetime.date(2025, 3, 14),
        planned_hours=D(80),
        attended_hours=D(60),
    )
    assert row.month == datetime.date(2025, 3, 1) and row.indemnity_due == D("375.00") and row.percent == 75
    row = services.attendance_record(
        actor=cast.operator_a,
        path=internship,
        month=datetime.date(2025, 3, 1),
        planned_hours=D(80),
        attended_hours=D(64),
    )
    assert row.indemnity_due == D("500.00") and internship.attendance.count() == 1
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=cast.operator_a,
            path=internship,
            month=datetime.date(2025, 2, 1),
            planned_hours=D(80),
            attended_hours=D(1),
        )
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=cast.operator_a,
            path=internship,
            month=datetime.date(2025, 4, 1),
            planned_hours=D(80),
            attended_hours=D(81),
        )


# ---------------------------------------------------------------------------------------------- follow-up


@pytest.fixture
def hiring(cast, person_a, case_a, host):
    path = services.path_create(
        actor=cast.operator_a,
        person=person_a,
        case=case_a,
        service_tutor=cast.operator_a,
        kind=PathKind.HIRING_OPEN_ENDED,
        host=host,
        starts_on=datetime.date(2025, 1, 10),
    )
    return services.path_transition(actor=cast.operator_a, path=path, to_status=PathStatus.ACTIVE)


def test_follow_ups_scheduled_due_and_overdue(cast, hiring):
    today = datetime.date(2025, 4, 15)
    agenda = list(selectors.follow_up_agenda(cast.operator_a, today=today))
    assert [f.months for f in agenda] == [1, 3, 6, 12]
    assert [f.is_overdue(today) for f in agenda] == [True, True, False, False]
    assert selectors.overdue_follow_ups_count(cast.operator_a, today=today) == 2
    assert selectors.overdue_follow_ups_count(cast.operator_b, today=today) == 0
    assert list(selectors.follow_up_agenda(cast.coordinator_a, today=today)) == []  # not theirs…
    assert len(list(selectors.follow_up_agenda(cast.coordinator_a, today=today, whole_team=True))) == 4  # …the team's

    assert services.follow_up_reminders(today=today) == 2
    assert services.follow_up_reminders(today=today) == 0  # raised once

    first = agenda[0]
    services.follow_up_record(
        actor=cast.operator_a, follow_up=first, outcome=FollowUpOutcome.STABLE, done_on=datetime.date(2025, 2, 12)
    )
    assert selectors.overdue_follow_ups_count(cast.operator_a, today=today) == 1
    with pytest.raises(PermissionDenied):
        services.follow_up_record(actor=cast.operator_b, follow_up=agenda[1], outcome=FollowUpOutcome.STABLE)


def test_a_job_that_ends_records_why_and_drops_later_checks(cast, hiring):
    path = services.path_transition(
        actor=cast.operator_a,
        path=hiring,
        to_status=PathStatus.INTERRUPTED,
        on=datetime.date(2025, 5, 2),
        reason=InterruptionReason.HEALTH,
    )
    assert path.job_end_reason == "health" and path.ended_on == datetime.date(2025, 5, 2)
    assert list(FollowUp.objects.filter(path=path, cancelled=True).values_list("months", flat=True)) == [6, 12]
    assert list(selectors.follow_up_agenda(cast.operator_a, today=datetime.date(2025, 6, 1))) == []


# ---------------------------------------------------------------------------------------------- events


def test_a_hospitalisation_is_recorded_by_a_treating_clinician_only(cast, person_a, internship):
    with pytest.raises(PermissionDenied):
        services.event_record(
            actor=cast.operator_a,
            person=person_a,
            kind=EventKind.HOSPITALISATION,
            occurred_on=datetime.date(2025, 4, 1),
        )
    with pytest.raises(PermissionDenied):  # a clinician of an organisation that does not treat the person
        services.event_record(
            actor=cast.clinician_b,
            person=person_a,
            kind=EventKind.HOSPITALISATION,
            occurred_on=datetime.date(2025, 4, 1),
        )
    event = services.event_record(
        actor=cast.clinician_a,
        person=person_a,
        kind=EventKind.HOSPITALISATION,
        path=internship,
        occurred_on=datetime.date(2025, 4, 1),
        ended_on=datetime.date(2025, 4, 20),
    )
    assert event.organisation == cast.org_a


def test_clinical_events_hidden_from_non_clinical_roles_and_still_counted(cast, person_a, internship):
    services.event_record(
        actor=cast.clinician_a,
        person=person_a,
        kind=EventKind.HOSPITALISATION,
        path=internship,
        occurred_on=datetime.date(2025, 4, 1),
    )
    assert selectors.events_of_person(cast.clinician_a, person_a).count() == 1
    for user in (cast.operator_a, cast.coordinator_a, cast.peer_a, cast.clinician_b, cast.analyst):
        assert selectors.events_of_person(user, person_a).count() == 0
    assert selectors.path_event_counts(cast.clinician_a, internship) == {EventKind.HOSPITALISATION: 1}
    assert selectors.path_event_counts(cast.operator_a, internship) == {}
    counts = selectors.outcome_counts(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    assert counts["hospitalisations"] is None  # one person: counted, shown as "fewer than 5"
    for n in range(5):
        other = make_person(registered_by=cast.org_a)
        ProgrammeEvent.objects.create(
            person=other,
            organisation=cast.org_a,
            kind=EventKind.HOSPITALISATION,
            occurred_on=datetime.date(2025, 5, 1 + n),
            recorded_by=cast.clinician_a,
        )
    counts = selectors.outcome_counts(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    assert counts["hospitalisations"] == 6


def test_a_drop_out_closes_the_case_and_interrupts_the_paths(cast, person_a, case_a, internship):
    services.path_transition(actor=cast.operator_a, path=internship, to_status=PathStatus.ACTIVE)
    event = services.event_record(
        actor=cast.operator_a, person=person_a, kind=EventKind.DROP_OUT, occurred_on=datetime.date(2025, 5, 5)
    )
    case_a.refresh_from_db()
    internship.refresh_from_db()
    assert case_a.status == CaseStatus.CLOSED and case_a.closing_reason == ClosingReason.DROP_OUT
    assert internship.status == PathStatus.INTERRUPTED and internship.interruption_reason == "drop_out"
    assert event.case == case_a
    assert selectors.events_of_person(cast.operator_a, person_a).get() == event
    assert selectors.events_of_person(cast.operator_b, person_a).count() == 0


# ---------------------------------------------------------------------------------------------- activities


def _activities(cast, person, *, attributable: int, non: int, day=datetime.date(2025, 2, 3)):
    for _ in range(attributable):
        Activity.objects.create(
            organisation=cast.org_a,
            operator=cast.operator_a,
            profession="educator",
            performed_on=day,
            minutes=60,
            kind=ActivityKind.INTERVIEW,
            person=person,
        )
    for _ in range(non):
        Activity.objects.create(
            organisation=cast.org_a,
            operator=cast.operator_a,
            profession="educator",
            performed_on=day,
            minutes=30,
            kind=ActivityKind.NETWORK_MEETING,
        )


def _status(cast):
    return selectors.ceiling_status(
        organisation_ids=[cast.org_a.pk],
        programme_code="TR106",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )


def test_the_ceiling_computation(cast, person_a):
    assert _status(cast).share == 0 and _status(cast).state == "ok"
    _activities(cast, person_a, attributable=8, non=2)
    status = _status(cast)
    assert (status.total, status.non_attributable, status.percent, status.state) == (10, 2, D("20.0"), "near")
    assert status.room == 0 and status.would_cross_with_one_more
    _activities(cast, person_a, attributable=0, non=1)
    status = _status(cast)
    assert status.state == "over" and status.attributable_needed == 4  # 3 / 15 = 20%
    _activities(cast, person_a, attributable=13, non=0)
    status = _status(cast)
    assert (
        (status.total, status.non_attributable) == (24, 3) and status.room == 2 and status.state == "ok"
    )  # 5 / 26 fits, 6 / 27 does not
    assert status.minutes_total == 21 * 60 + 3 * 30


def test_a_non_attributable_activity_over_the_ceiling_needs_confirmation(cast, person_a):
    _activities(cast, person_a, attributable=8, non=2)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as info:
        services.activity_record(
            actor=cast.operator_a,
            performed_on=datetime.date(2025, 3, 1),
            minutes=60,
            kind=ActivityKind.NETWORK_MEETING,
        )
    assert info.value.code == services.OVER_CEILING
    services.activity_record(
        actor=cast.operator_a,
        performed_on=datetime.date(2025, 3, 1),
        minutes=60,
        kind=ActivityKind.NETWORK_MEETING,
        accept_over_ceiling=True,
    )
    # Attributable activities are never held back, and another year starts afresh.
    services.activity_record(
        actor=cast.operator_a,
        performed_on=datetime.date(2025, 3, 1),
        minutes=45,
        kind=ActivityKind.COACHING,
        person=person_a,
    )
    activity = services.activity_record(
        actor=cast.operator_a,
        performed_on=today,
        minutes=60,
        kind=ActivityKind.STAFF_TRAINING,
        accept_over_ceiling=True,
    )
    assert activity.organisation == cast.org_a and not activity.is_attributable
    assert AuditEvent.objects.filter(action=Action.ACTIVITY_SAVE).count() == 3


def test_an_activity_for_a_person_of_another_organisation_is_refused(cast, person_a):
    with pytest.raises(PermissionDenied):
        services.activity_record(
            actor=cast.operator_b,
            performed_on=datetime.date(2025, 3, 1),
            minutes=30,
            kind=ActivityKind.INTERVIEW,
            person=person_a,
        )


def test_a_coordinator_records_an_activity_for_an_operator_of_the_organisation(cast, person_a):
    """The imports of the old registers (ADR 0026): the operator is the one named, the audit names the actor."""
    fields = {"performed_on": datetime.date(2025, 3, 1), "minutes": 30, "kind": ActivityKind.INTERVIEW}
    activity = services.activity_record(actor=cast.coordinator_a, operator=cast.operator_a, person=person_a, **fields)
    assert (activity.operator, activity.organisation) == (cast.operator_a, cast.org_a)
    event = AuditEvent.objects.get(action=Action.ACTIVITY_SAVE)
    assert (event.actor_id, event.person_id) == (cast.coordinator_a.pk, person_a.pk)
    with pytest.raises(PermissionDenied):  # an operator records only their own
        services.activity_record(actor=cast.operator_a, operator=cast.coordinator_a, **fields)
    for outsider in (cast.operator_b, cast.peer_a):  # another organisation's; a role that does not write records
        with pytest.raises(ValidationError) as info:
            services.activity_record(actor=cast.coordinator_a, operator=outsider, **fields)
        assert "operator" in info.value.message_dict
    cast.operator_a.is_active = False
    cast.operator_a.save()
    with pytest.raises(ValidationError):
        services.activity_record(actor=cast.coordinator_a, operator=cast.operator_a, **fields)
    assert Activity.objects.count() == 1


# ---------------------------------------------------------------------------------------------- groups


@pytest.fixture
def group(cast):
    return services.group_create(
        actor=cast.coordinator_b,
        year=2025,
        title="Il colloquio di lavoro",
        topic="Prepararsi al colloquio",
        target="Candidati dei Poli Lavoro",
        partner_organisation=cast.org_a,
        conductor=cast.operator_b,
        co_conductor=cast.operator_a,
        place="Via Statuto 5",
        capacity=2,
    )


def _candidate(cast):
    person = make_person(registered_by=cast.org_a)
    make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
    make_consent(person=person, organisation=cast.org_b, recorded_by=cast.operator_a)
    return person


def test_group_needs_two_conductors_of_two_organisations(cast):
    with pytest.raises(ValidationError):
        services.group_create(
            actor=cast.coordinator_b,
            year=2025,
            title="T",
            topic="T",
            target="T",
            partner_organisation=cast.org_b,
            conductor=cast.operator_b,
            co_conductor=cast.coordinator_b,
            place="P",
            capacity=5,
        )
    with pytest.raises(ValidationError):
        services.group_create(
            actor=cast.coordinator_b,
            year=2025,
            title="T",
            topic="T",
            target="T",
            partner_organisation=cast.org_a,
            conductor=cast.operator_b,
            co_conductor=cast.operator_b,
            place="P",
            capacity=5,
        )


def test_enrolment_with_a_waiting_list(cast, group):
    people = [_candidate(cast) for _ in range(4)]
    statuses = [
        services.enrol(actor=cast.operator_a, group=group, person=p, referring_unit=cast.unit_a).status for p in people
    ]
    assert statuses == [
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.WAITING,
        EnrolmentStatus.WAITING,
    ]
    with pytest.raises(ValidationError):  # once only
        services.enrol(actor=cast.operator_a, group=group, person=people[0], referring_unit=cast.unit_a)
    first = group.enrolments.get(person=people[0])
    promoted = services.enrolment_withdraw(actor=cast.operator_a, enrolment=first)
    assert promoted.person == people[2] and promoted.status == EnrolmentStatus.ENROLLED
    assert services.enrolment_withdraw(actor=cast.operator_a, enrolment=group.enrolments.get(person=people[3])) is None


def test_enrolment_needs_the_polo_lavoro_and_the_sharing_consent(cast, group):
    person = make_person(registered_by=cast.org_a)
    make_case(person=person, unit=cast.unit_a)
    with pytest.raises(ValidationError) as info:
        services.enrol(actor=cast.operator_a, group=group, person=person, referring_unit=cast.unit_a)
    assert "person" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.enrol(actor=cast.clinician_a, group=group, person=_candidate(cast), referring_unit=cast.cps_a)
    with pytest.raises(ValidationError):  # not the actor's team
        services.enrol(actor=cast.operator_b, group=group, person=person, referring_unit=cast.unit_a)


def test_the_feedback_report(cast, group):
    a, b = _candidate(cast), _candidate(cast)
    ea = services.enrol(actor=cast.operator_a, group=group, person=a, referring_unit=cast.unit_a)
    eb = services.enrol(actor=cast.operator_a, group=group, person=b, referring_unit=cast.unit_a)
    sessions = [
        services.session_add(
            actor=cast.operator_b,
            group=group,
            starts_at=timezone.make_aware(datetime.datetime(2025, 10, day, 14)),
            ends_at=timezone.make_aware(datetime.datetime(2025, 10, day, 16)),
        )
        for day in (6, 13, 20, 27)
    ]
    for i, session in enumerate(sessions):
        services.register_record(
            actor=cast.operator_b, session=session, present={ea.pk} | ({eb.pk} if i == 0 else set())
        )
    services.evaluation_record(
        actor=cast.operator_a, enrolment=ea, score_before=2, score_after=4, conductors_note="Partecipa attivamente."
    )
    report = selectors.feedback_report(ea)
    assert (report.sessions, report.attended, report.absent, report.attendance_percent, report.change) == (
        4,
        4,
        0,
        100,
        2,
    )
    report = selectors.feedback_report(eb)
    assert (report.attended, report.absent, report.attendance_percent, report.change) == (1, 3, 25, None)
    with pytest.raises(PermissionDenied):  # someone outside the two conducting organisations
        services.evaluation_record(actor=cast.company_referent, enrolment=ea, score_before=1, score_after=1)
    with pytest.raises(PermissionDenied):
        services.register_record(actor=cast.analyst, session=sessions[0], present=set())


def test_a_resignation_interrupts_a_hiring_for_the_persons_choice(cast, hiring):
    path = services.path_transition(
        actor=cast.operator_a,
        path=hiring,
        to_status=PathStatus.INTERRUPTED,
        on=datetime.date(2025, 3, 3),
        reason="resignation",
    )
    assert (path.interruption_reason, path.job_end_reason) == (InterruptionReason.PERSON_CHOICE, "resignation")


def test_details_change_with_the_rules_checked_and_a_stale_version_refused(cast, internship):
    path = services.path_update(actor=cast.operator_a, path=internship, version=1, host_tutor="Sig.ra Neri")
    assert path.version == 2 and path.changes.last().fields == ["host_tutor"]
    with pytest.raises(ValidationError) as info:
        services.path_update(actor=cast.operator_a, path=path, version=2, monthly_indemnity=D("100"))
    assert "monthly_indemnity" in info.value.message_dict
    with pytest.raises(StaleObjectError):
        services.path_update(actor=cast.operator_a, path=path, version=1, host_tutor="Sig. Rossi")
    with pytest.raises(PermissionDenied):
        services.path_update(actor=cast.operator_b, path=path, version=2, host_tutor="Sig. Rossi")
