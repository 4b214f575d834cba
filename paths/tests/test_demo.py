"""The demo paths: shaped like seed 000, valid against the rules the services keep, idempotent."""

import datetime
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q

from paths.choices import EventKind, PathKind, PathStatus
from paths.models import Activity, Enrolment, FollowUp, MonthlyAttendance, Path, ProgrammeEvent, TrainingGroup
from paths.selectors import ceiling_status

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


class _Sink:
    def write(self, text: str) -> None:
        """Discard `text`."""


def test_seed_paths_shapes_and_idempotence():
    from demo.paths import seed_paths

    call_command("seed_demo", persons=300, force=True, stdout=_Sink())  # seed_demo calls seed_paths
    paths, activities = Path.objects.count(), Activity.objects.count()
    assert paths > 50 and activities > paths and TrainingGroup.objects.count() == 6
    assert seed_paths(rng=random.Random(7321), today=TODAY) == {"paths": 0, "events": 0, "activities": 0, "groups": 0}

    candidates = Path.objects.values("person_id").distinct().count()
    internships = Path.objects.filter(kind__in=["internship", "inclusion_internship"]).values("person_id").distinct()
    hired = Path.objects.filter(previous__isnull=False).count()
    assert 0.2 < internships.count() / candidates < 0.6
    assert hired and FollowUp.objects.filter(path__previous__isnull=False).exists()
    assert MonthlyAttendance.objects.exists()
    # Every converted internship has its hiring; every final path its end date (the constraints hold).
    assert Path.objects.filter(status=PathStatus.CONVERTED, next__isnull=True).count() == 0
    assert not Path.objects.filter(Q(status__in=["completed", "interrupted", "converted"]) & Q(ended_on__isnull=True))
    assert not Path.objects.filter(kind=PathKind.COURSE, monthly_indemnity__isnull=False)
    # Drop-outs closed their cases.
    for event in ProgrammeEvent.objects.filter(kind=EventKind.DROP_OUT).select_related("case"):
        assert event.case.closing_reason == "drop_out"
    # Each organisation stays under seed 000's 20% ceiling over the whole history.
    for org_id in Activity.objects.values_list("organisation_id", flat=True).distinct():
        status = ceiling_status(
            organisation_ids=[org_id], programme_code="TR106", start=datetime.date(2000, 1, 1), end=TODAY
        )
        assert status.share <= status.ceiling
    # One group is full with a waiting list.
    full = TrainingGroup.objects.annotate(waiting=Count("enrolments", filter=Q(enrolments__status="waiting")))
    assert full.filter(waiting__gt=0).exists() and Enrolment.objects.filter(status="enrolled").exists()


def _start_keys_at(value: int) -> None:
    """Make the next persons and cases take keys from `value`, as earlier tests leave them on PostgreSQL."""
    with connection.cursor() as cursor:
        for table in ("people_person", "cases_case"):
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, value])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, value])


def test_the_demo_paths_do_not_depend_on_the_keys_the_database_gives():
    """The candidates are drawn from the persons, not from their keys: the same demo whatever came before."""
    shapes = []
    for start in (100, 16_589):  # two starts that drew different candidates when the draw hashed the key
        savepoint = transaction.savepoint()
        _start_keys_at(start)
        call_command("seed_demo", persons=300, force=True, stdout=_Sink())
        assert Path.objects.order_by("person_id").values_list("person_id", flat=True).first() > start
        shapes.append(sorted(Path.objects.values_list("person__fiscal_code", "kind", "status", "starts_on")))
        transaction.savepoint_rollback(savepoint)
    assert shapes[0] and shapes[0] == shapes[1]
