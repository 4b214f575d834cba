"""The policy of paths, events, activities and groups, role by role over the cast."""

import datetime

import pytest

from paths import permissions, services
from paths.choices import ActivityKind
from paths.models import Activity, Enrolment, FollowUp, Path, PathChange, ProgrammeEvent, TrainingGroup


def test_who_sees_and_plans_a_persons_paths(cast, person_a):
    allowed_view = {cast.operator_a, cast.coordinator_a, cast.clinician_a, cast.peer_a}
    allowed_plan = {cast.operator_a, cast.coordinator_a, cast.clinician_a}
    everyone = [
        cast.operator_a,
        cast.coordinator_a,
        cast.clinician_a,
        cast.peer_a,
        cast.operator_b,
        cast.coordinator_b,
        cast.clinician_b,
        cast.analyst,
        cast.company_referent,
        cast.sysadmin,
        cast.dpo,
    ]
    for user in everyone:
        assert permissions.can_view_paths_of(user, person_a) is (user in allowed_view), user
        assert permissions.can_view_paths_on_record(user, person_a, person_a.cases.all()) is (user in allowed_view)
        assert permissions.can_plan_path(user, person_a) is (user in allowed_plan), user
    assert [u for u in everyone if permissions.can_record_hospitalisation(u, person_a)] == [cast.clinician_a]


def test_rows_are_restricted_to_their_organisation(cast, person_a, internship):
    for model in (Path, PathChange):
        assert model.objects.restrict(cast.operator_a).count() == 1
        assert model.objects.restrict(cast.peer_a).count() == 1
        assert model.objects.restrict(cast.peer_a, "change").count() == 0
        for user in (cast.operator_b, cast.analyst, cast.company_referent, cast.sysadmin, cast.dpo):
            assert model.objects.restrict(user).count() == 0, (model, user)
    assert permissions.can_change_path(cast.coordinator_a, internship)
    assert not permissions.can_change_path(cast.peer_a, internship)
    assert not permissions.can_change_path(cast.operator_b, internship)
    for model in (FollowUp, ProgrammeEvent, Activity, Enrolment, TrainingGroup):
        assert model.objects.restrict(None).count() == 0


def test_an_activity_is_changed_by_its_operator_or_a_coordinator(cast, person_a):
    activity = services.activity_record(
        actor=cast.operator_a,
        performed_on=datetime.date(2025, 3, 3),
        minutes=30,
        kind=ActivityKind.INTERVIEW,
        person=person_a,
    )
    assert Activity.objects.restrict(cast.operator_a, "change").filter(pk=activity.pk).exists()
    assert Activity.objects.restrict(cast.coordinator_a, "change").filter(pk=activity.pk).exists()
    assert not Activity.objects.restrict(cast.clinician_a, "change").filter(pk=activity.pk).exists()
    assert Activity.objects.restrict(cast.clinician_a).filter(pk=activity.pk).exists()
    assert not Activity.objects.restrict(cast.coordinator_b).filter(pk=activity.pk).exists()


@pytest.mark.parametrize(
    ("name", "log", "report", "export", "outcomes", "plan_group"),
    [
        ("operator_a", True, True, False, False, False),
        ("coordinator_a", True, True, True, True, True),
        ("peer_a", False, True, False, False, False),
        ("analyst", False, False, False, True, False),
        ("company_referent", False, False, False, False, False),
        ("sysadmin", False, False, False, False, False),
    ],
)
def test_activity_and_group_policies(cast, name, log, report, export, outcomes, plan_group):
    user = getattr(cast, name)
    assert permissions.can_use_activity_log(user) is log
    assert permissions.can_view_activity_report(user) is report
    assert permissions.can_export_activities(user) is export
    assert permissions.can_view_outcomes(user) is outcomes
    assert permissions.can_plan_group(user) is plan_group
