"""core.bulk writes what Django writes: insert_many what bulk_create does (on PostgreSQL with COPY), insert_one what
save() does, with Django's errors."""

import datetime
import gc
import ipaddress
import threading
import weakref

import pytest
from django.db import IntegrityError, connections, transaction

from audit.choices import Action
from audit.models import AuditEvent
from core.bulk import analyze_grown, fewer_collections, insert_many, insert_one
from core.testing.cast import fiscal_code_for
from people.choices import ConsentPurpose
from people.models import Consent, Person

NAMES = ["Anna", "Bruna", "Carla"]


def persons(cast, surname: str) -> list[Person]:
    born = datetime.date(1981, 3, 4)
    return [
        Person(
            fiscal_code=fiscal_code_for(last_name=surname, first_name=NAMES[n], sex="F", birth_date=born),
            first_name=NAMES[n],
            last_name=surname,
            sex="F",
            birth_date=born,
            birth_place="Milano",
            birth_place_code="F205",
            registered_by=cast.org_a,
            civil_invalidity_percent=[None, 0, 100][n],
            law68_registered=bool(n),
            phone="" if n else "02 555",
        )
        for n in range(3)
    ]


def stored(model, pks) -> list[dict]:
    skip = {"id", "created_at", "updated_at", "at", "person_id", "fiscal_code", "last_name", "object_id"}
    return [
        {k: v for k, v in row.items() if k not in skip}
        for row in model.objects.filter(pk__in=pks).order_by("pk").values()
    ]


def test_rows_read_back_as_bulk_create_writes_them(cast):
    ours = insert_many(Person, persons(cast, "Copy"))
    theirs = Person.objects.bulk_create(persons(cast, "Bulk"))
    assert all(p.pk for p in ours) and not any(p._state.adding for p in ours)
    assert stored(Person, [p.pk for p in ours]) == stored(Person, [p.pk for p in theirs])
    assert all(p.created_at is not None for p in Person.objects.filter(pk__in=[p.pk for p in ours]))
    read_back = Person.objects.filter(pk__in=[p.pk for p in ours])
    assert {(p.created_at, p.updated_at) for p in read_back} == {(p.created_at, p.updated_at) for p in ours}
    assert all(p.created_at <= p.updated_at for p in ours)

    def consents(people):
        return [
            Consent(person=p, purpose=ConsentPurpose.SHARING, organisation=cast.org_b,
                    sections=["contacts", "social"][: n + 1], given_on=datetime.date(2021, 1, 1),
                    withdrawn_on=[None, datetime.date(2022, 1, 1), None][n],
                    recorded_by=cast.operator_a, recorded_by_organisation=cast.org_a, note="à ; \\ \t \"x\"")
            for n, p in enumerate(people)
        ]  # fmt: skip

    ours_c, theirs_c = insert_many(Consent, consents(ours)), Consent.objects.bulk_create(consents(theirs))
    assert stored(Consent, [c.pk for c in ours_c]) == stored(Consent, [c.pk for c in theirs_c])

    def events(people):
        return [
            AuditEvent(actor=cast.operator_a, actor_username="operator_a", organisation=cast.org_a,
                       action=Action.PERSON_VIEW, person=p, ip=["10.0.0.1", None, "2001:db8::1"][n],
                       detail={"fields": ["a", "b"], "n": n, "t": "ù\n"})
            for n, p in enumerate(people)
        ]  # fmt: skip

    ours_e, theirs_e = insert_many(AuditEvent, events(ours)), AuditEvent.objects.bulk_create(events(theirs))
    ours_rows, theirs_rows = stored(AuditEvent, [e.pk for e in ours_e]), stored(AuditEvent, [e.pk for e in theirs_e])
    assert list(
        AuditEvent.objects.filter(pk__in=[e.pk for e in ours_e]).order_by("pk").values_list("person_id", flat=True)
    ) == [p.pk for p in ours]
    assert ours_rows == theirs_rows
    assert ipaddress.ip_address(ours_rows[2]["ip"]) == ipaddress.ip_address("2001:db8::1")
    assert all(e.at is not None for e in AuditEvent.objects.filter(pk__in=[e.pk for e in ours_e]))


def test_a_refused_row_raises_django_integrity_error_and_writes_nothing(cast):
    twins = persons(cast, "Gemelli")
    twins[1].fiscal_code = twins[0].fiscal_code  # one live record per fiscal code
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many(Person, twins)
    assert not Person.objects.filter(last_name="Gemelli").exists()


def test_nothing_to_insert(cast):
    assert insert_many(Person, []) == []


def test_insert_values_writes_defaults_and_values_as_instances_would(cast):
    from core.bulk import insert_values

    people = insert_many(Person, persons(cast, "Valori"))
    rows = [
        {"actor_id": cast.operator_a.pk, "action": Action.PERSON_VIEW, "person_id": p.pk, "detail": {"n": n},
         "ip": ["10.0.0.1", None, "2001:db8::1"][n]}
        for n, p in enumerate(people)
    ]  # fmt: skip
    assert insert_values(AuditEvent, rows) == 3
    stored_rows = list(AuditEvent.objects.filter(person_id__in=[p.pk for p in people]).order_by("pk"))
    theirs = AuditEvent.objects.bulk_create([AuditEvent(**row) for row in rows])
    expected = list(AuditEvent.objects.filter(pk__in=[e.pk for e in theirs]).order_by("pk"))
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "at")]
    assert [[getattr(e, f) for f in fields] for e in stored_rows] == [[getattr(e, f) for f in fields] for e in expected]
    assert all(e.at is not None and e.outcome == "ok" and e.channel == "" for e in stored_rows)
    assert insert_values(AuditEvent, []) == 0


def test_insert_one_writes_what_save_writes(cast):
    people = insert_many(Person, persons(cast, "Uno"))

    def event(n):
        return AuditEvent(actor=cast.operator_a, actor_username="operator_a", organisation=cast.org_a,
                          action=Action.PERSON_VIEW, person=people[n], ip=["10.0.0.1", None, "2001:db8::1"][n],
                          detail={"fields": ["a", "b"], "n": n, "t": "ù\n"}, object_id=str(n))  # fmt: skip

    ours = [insert_one(event(n)) for n in range(3)]
    theirs = [event(n) for n in range(3)]
    for e in theirs:
        e.save()
    assert all(e.pk and not e._state.adding and e._state.db == "default" and e.at is not None for e in ours)
    assert [e.pk for e in ours] == sorted({e.pk for e in ours}) and ours[-1].pk < theirs[0].pk
    assert stored(AuditEvent, [e.pk for e in ours]) == stored(AuditEvent, [e.pk for e in theirs])
    assert [e.at for e in AuditEvent.objects.filter(pk__in=[e.pk for e in ours]).order_by("pk")] == [e.at for e in ours]
    twins = persons(cast, "Doppio")
    insert_one(twins[0])
    twins[1].fiscal_code = twins[0].fiscal_code
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(twins[1])
    assert Person.objects.filter(last_name="Doppio").count() == 1


def test_analyze_grown_refreshes_the_statistics_of_the_tables_an_import_filled(db):
    if connections["default"].vendor != "postgresql":
        assert analyze_grown() == []  # SQLite plans without such statistics
        return
    # A connection of its own, outside the test's transaction: the counters count committed rows.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("CREATE TABLE bulk_analyze_probe (n integer)")
            assert "bulk_analyze_probe" not in analyze_grown(other)  # empty, never analysed: nothing to do
            cursor.execute("INSERT INTO bulk_analyze_probe SELECT generate_series(1, 300)")
            cursor.execute("SELECT pg_stat_force_next_flush()")  # the counters reach the statistics views at once
            assert "bulk_analyze_probe" not in analyze_grown(other, skip=("bulk_analyze_probe",))
            assert "bulk_analyze_probe" in analyze_grown(other)
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'bulk_analyze_probe'")
            assert cursor.fetchone()[0] == 300
            assert "bulk_analyze_probe" not in analyze_grown(other)  # nothing changed since
    finally:
        with other.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bulk_analyze_probe")
        other.close()


class Cycle:
    """An object that refers to itself: only the cyclic collector frees it."""

    def __init__(self):
        self.me = self


def test_fewer_collections_restores_the_collector_and_frees_cycles():
    before = gc.get_threshold()
    old = Cycle()  # alive on entry: frozen inside the block, collected again after it
    old_ref = weakref.ref(old)
    with fewer_collections(threshold=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0
        new_ref = weakref.ref(Cycle())
        del old
        gc.collect()
        assert new_ref() is None  # what the block makes and drops is still collected
        assert old_ref() is not None  # what lived before is out of the scans until the end
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert old_ref() is None


def test_fewer_collections_nested_across_threads_restores_once_the_last_leaves():
    before = gc.get_threshold()
    entered, release = threading.Event(), threading.Event()

    def other():
        with fewer_collections():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with pytest.raises(RuntimeError), fewer_collections():  # an error inside changes nothing either
        thread.start()
        entered.wait(10)
        raise RuntimeError
    assert gc.get_threshold() == (50_000, *before[1:])  # the other thread is still inside
    release.set()
    thread.join(10)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
