"""Changing a planned group and moving its sessions (paths.services.group_update, session_update)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_consent, make_person
from paths import services
from paths.models import GroupSession, TrainingGroup

pytestmark = pytest.mark.django_db


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


def at(day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, 5, day, hour))


def test_a_conducting_organisation_changes_the_group_and_it_is_audited(cast, group):
    changed = services.group_update(
        actor=cast.operator_a, group=group, title=" Il colloquio ", capacity=5, co_conductor=cast.coordinator_a
    )
    group.refresh_from_db()
    assert (changed.title, group.title, group.capacity, group.co_conductor) == (
        "Il colloquio",
        "Il colloquio",
        5,
        cast.coordinator_a,
    )
    event = AuditEvent.objects.filter(action=Action.GROUP_SAVE, object_id=str(group.pk)).latest("pk")
    assert event.detail["fields"] == ["capacity", "co_conductor", "title"]


def test_a_change_is_refused_with_its_reason(cast, group):
    for _ in range(2):
        other = make_person(registered_by=cast.org_a)
        make_case(person=other, unit=cast.unit_a)
        make_consent(person=other, organisation=cast.org_b, recorded_by=cast.operator_a)
        services.enrol(actor=cast.operator_a, group=group, person=other, referring_unit=cast.unit_a)
    cases = [
        ({"capacity": 1}, "capacity"),  # two are enrolled
        ({"conductor": cast.operator_a}, "conductor"),  # not of the programme team's organisation
        ({"co_conductor": cast.operator_b}, "co_conductor"),  # the same person as the conductor
        ({"title": ""}, "title"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.group_update(actor=cast.coordinator_b, group=group, **changes)
        assert field in refused.value.message_dict, changes
    group.refresh_from_db()
    assert (group.capacity, group.conductor, group.co_conductor, group.title) == (
        2,
        cast.operator_b,
        cast.operator_a,
        "Il colloquio di lavoro",
    )
    with pytest.raises(PermissionDenied):
        services.group_update(actor=cast.peer_a, group=group, title="Altro")
    with pytest.raises(TypeError):
        services.group_update(actor=cast.coordinator_b, group=group, year=2026)


def test_a_session_is_moved_within_the_group_year(cast, group):
    session = services.session_add(actor=cast.operator_b, group=group, starts_at=at(5, 10), ends_at=at(5, 12))
    services.session_update(
        actor=cast.operator_a, session=session, starts_at=at(6, 14), ends_at=at(6, 16), subject="CV"
    )
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at, session.subject) == (at(6, 14), at(6, 16), "CV")
    with pytest.raises(ValidationError):
        services.session_update(actor=cast.operator_a, session=session, starts_at=at(7, 12), ends_at=at(7, 11))
    late = timezone.make_aware(datetime.datetime(2026, 1, 10, 10))
    with pytest.raises(ValidationError):
        services.session_update(
            actor=cast.operator_a, session=session, starts_at=late, ends_at=late + datetime.timedelta(hours=1)
        )
    lone = TrainingGroup.objects.create(
        year=2025,
        title="Solo B",
        topic="t",
        target="t",
        organisation=cast.org_b,
        partner_organisation=cast.org_b,
        conductor=cast.operator_b,
        co_conductor=cast.coordinator_b,
        place="p",
        capacity=3,
    )
    theirs = GroupSession.objects.create(group=lone, starts_at=at(8, 10), ends_at=at(8, 11))
    with pytest.raises(PermissionDenied):
        services.session_update(actor=cast.operator_a, session=theirs, starts_at=at(9, 10), ends_at=at(9, 11))
    session.refresh_from_db()
    assert session.starts_at == at(6, 14)
