"""Audit rows can be written and read, never changed or deleted, by the ORM or by raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.choices import Action
from audit.models import AuditEvent, AuditImmutableError
from audit.services import audit_log


@pytest.fixture
def event(cast, person_a):
    return audit_log(actor=cast.operator_a, action=Action.PERSON_VIEW, obj=person_a)


def test_event_records_who_what_where(cast, person_a, event):
    assert event.actor == cast.operator_a
    assert event.actor_username == "operator_a"
    assert event.organisation == cast.org_a
    assert event.organisation_name == "ASST Fatebenefratelli Sacco"
    assert event.person_id == person_a.pk
    assert event.object_type == "people.person"
    assert event.channel == "cli"


def test_orm_refuses_changes(event):
    event.detail = {"tampered": True}
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="auth.login")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET action = 'auth.login'", "DELETE FROM audit_auditevent"])
def test_database_refuses_raw_sql(event, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(pk=event.pk, action=Action.PERSON_VIEW).exists()
