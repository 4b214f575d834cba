"""paths.batch.paths_record_many records what path_create, path_transition and follow_ups_waive_before record
one by one: the same paths, history, follow-ups, audit events and refusals, in queries that do not grow with the
number of entries."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_person
from paths import services
from paths.batch import _record_one, paths_record_many
from paths.choices import BeneficiaryCategory, PathKind, PathStatus
from paths.models import FollowUp, Path, PathChange
from paths.tests.conftest import internship_fields, make_host

PAST = datetime.date(2024, 1, 8)
PATH_FIELDS = ("kind", "status", "title", "starts_on", "planned_end_on", "ended_on", "hours_per_week",
               "days_per_week", "host_tutor", "service_tutor_id", "beneficiary_category", "monthly_indemnity",
               "meal_vouchers", "interruption_reason", "job_end_reason", "outcome_note", "version", "organisation_id",
               "case_id", "host_id")  # fmt: skip


def step(to_status, on=None, reason="", note=""):
    return {"to_status": to_status, "on": on, "reason": reason, "note": note}


def entries_for(cast, person, case, small, large, stranger, busy):
    """Every route of the import and every refusal of the services, in an order where later entries depend on
    earlier ones (a small host's only internship place)."""
    later = datetime.date(2024, 6, 30)
    hiring = {"kind": PathKind.HIRING_FIXED_TERM, "host": large, "title": "Magazziniere", "starts_on": PAST,
              "planned_end_on": datetime.date(2025, 1, 7), "hours_per_week": Decimal("30"),
              "days_per_week": 5}  # fmt: skip
    return [
        # completed internship with a tutor and a note
        {"person": person, "case": case, "fields": internship_fields(large, starts_on=PAST,
         planned_end_on=datetime.date(2024, 7, 7), service_tutor=cast.operator_a),
         "route": [step(PathStatus.ACTIVE, PAST), step(PathStatus.COMPLETED, later, note="Buone competenze")]},
        # the small host's one place, then a second internship there at the same time: refused
        {"person": person, "case": None, "fields": internship_fields(small, starts_on=PAST,
         planned_end_on=datetime.date(2024, 5, 31)), "route": [step(PathStatus.ACTIVE, PAST)]},
        {"person": person, "case": None, "fields": internship_fields(small, starts_on=datetime.date(2024, 3, 1),
         planned_end_on=datetime.date(2024, 6, 30)), "route": []},
        # a host whose one place is taken by an internship recorded before the batch
        {"person": person, "case": None, "fields": internship_fields(busy, starts_on=PAST,
         planned_end_on=datetime.date(2024, 3, 31)), "route": []},
        # interrupted internship, reason given
        {"person": person, "case": case, "fields": internship_fields(large, starts_on=datetime.date(2024, 9, 2),
         planned_end_on=datetime.date(2025, 2, 28)),
         "route": [step(PathStatus.ACTIVE, datetime.date(2024, 9, 2)),
                   step(PathStatus.INTERRUPTED, datetime.date(2024, 10, 15), "drop_out")]},
        # hiring still running: follow-ups scheduled, those already due waived
        {"person": person, "case": case, "fields": dict(hiring), "route": [step(PathStatus.ACTIVE, PAST)],
         "waive_before": datetime.date(2024, 8, 1)},
        # hiring ended by resignation: the job's reason and the interruption's
        {"person": person, "case": case, "fields": dict(hiring, starts_on=datetime.date(2023, 1, 9),
         planned_end_on=None),
         "route": [step(PathStatus.ACTIVE, datetime.date(2023, 1, 9)),
                   step(PathStatus.INTERRUPTED, datetime.date(2023, 5, 2), "resignation")],
         "waive_before": datetime.date(2026, 1, 1)},
        # course, planned only
        {"person": person, "case": None, "fields": {"kind": PathKind.COURSE, "host": large, "starts_on": later},
         "route": []},
        # refused: no rules before 2018, an interruption without reason, an end in the future, a move not allowed,
        # an indemnity on a course, a tutor of another organisation, a person out of reach
        {"person": person, "case": None, "fields": internship_fields(large, starts_on=datetime.date(2016, 1, 4),
         planned_end_on=datetime.date(2016, 6, 30)), "route": []},
        {"person": person, "case": None, "fields": internship_fields(large, starts_on=PAST,
         planned_end_on=datetime.date(2024, 5, 31), beneficiary_category=BeneficiaryCategory.DISABLED),
         "route": [step(PathStatus.ACTIVE, PAST), step(PathStatus.INTERRUPTED, later)]},
        {"person": person, "case": None, "fields": {"kind": PathKind.COURSE, "host": large, "starts_on": PAST},
         "route": [step(PathStatus.ACTIVE, PAST), step(PathStatus.COMPLETED, datetime.date(2099, 1, 1))]},
        {"person": person, "case": None, "fields": {"kind": PathKind.COURSE, "host": large, "starts_on": PAST},
         "route": [step(PathStatus.COMPLETED, later)]},
        {"person": person, "case": None, "fields": {"kind": PathKind.COURSE, "host": large, "starts_on": PAST,
         "monthly_indemnity": Decimal("100")}, "route": []},
        {"person": person, "case": None, "fields": {"kind": PathKind.COURSE, "host": large, "starts_on": PAST,
         "service_tutor": cast.operator_b}, "route": []},
        {"person": stranger, "case": None, "fields": {"kind": PathKind.COURSE, "host": large, "starts_on": PAST},
         "route": []},
        # an internship older than the rules, imported as a path of the past: recorded unchecked, and said so
        {"person": person, "case": None, "historical": True, "fields": internship_fields(small,
         starts_on=datetime.date(2015, 1, 12), planned_end_on=datetime.date(2017, 12, 31), monthly_indemnity=None),
         "route": [step(PathStatus.ACTIVE, datetime.date(2015, 1, 12)),
                   step(PathStatus.COMPLETED, datetime.date(2015, 12, 31))]},
    ]  # fmt: skip


def snapshot(results) -> dict:
    """What was recorded, without primary keys and timestamps."""

    def refusal(exc):
        if isinstance(exc, PermissionDenied):
            return ("denied",)
        return ("refused", {k: [re.sub(r"\d+", "#", m) for m in v] for k, v in exc.message_dict.items()})

    paths = [r for r in results if isinstance(r, Path)]
    order = {p.pk: n for n, p in enumerate(paths)}
    stored = {p.pk: p for p in Path.objects.filter(pk__in=order)}
    return {
        "results": [
            tuple(getattr(stored[r.pk], name) for name in PATH_FIELDS) if isinstance(r, Path) else refusal(r)
            for r in results
        ],
        "changes": sorted(
            (order[c.path_id], c.from_status, c.to_status, c.on, c.reason, c.note, tuple(c.fields), c.by_id)
            for c in PathChange.objects.filter(path_id__in=order)
        ),
        "follow_ups": sorted(
            (order[f.path_id], f.months, f.due_on, f.done_on, f.cancelled)
            for f in FollowUp.objects.filter(path_id__in=order)
        ),
        "events": sorted(
            (order[int(e.object_id)], e.action, e.person_id, e.organisation_id, e.actor_id, sorted(e.detail.items()))
            for e in AuditEvent.objects.filter(action=Action.PATH_SAVE, object_id__in=[str(pk) for pk in order])
        ),
    }


class RollBack(Exception):
    pass


def test_paths_record_many_records_what_the_services_record_one_by_one(cast):
    person = make_person(registered_by=cast.org_a, last_name="Brambilla")
    case = make_case(person=person, unit=cast.unit_a)
    stranger = make_person(registered_by=cast.org_b, last_name="Ferrari")
    small, large = make_host("Bottega Piccola", employees=3), make_host("Logistica Grande", employees=400)
    busy = make_host("Bottega Occupata", employees=3)
    services.path_create(
        actor=cast.operator_a, person=person, case=case,
        **internship_fields(busy, starts_on=datetime.date(2023, 12, 4), planned_end_on=datetime.date(2024, 2, 29)),
    )  # fmt: skip
    entries = entries_for(cast, person, case, small, large, stranger, busy)
    try:
        with transaction.atomic():
            batch = snapshot(paths_record_many(actor=cast.operator_a, entries=entries))
            raise RollBack  # the same entries one by one below, on the database as it was
    except RollBack:
        pass
    assert Path.objects.count() == 1  # the one recorded before
    single = snapshot([_record_one(cast.operator_a, entry) for entry in entries])
    assert batch == single
    kinds = [r[0] for r in batch["results"]]
    assert kinds[:8] == [PathKind.INTERNSHIP, PathKind.INTERNSHIP, "refused", "refused", PathKind.INTERNSHIP,
                         PathKind.HIRING_FIXED_TERM, PathKind.HIRING_FIXED_TERM, PathKind.COURSE]  # fmt: skip
    assert kinds[8:] == ["refused"] * 6 + ["denied", PathKind.INTERNSHIP]
    assert "host" in batch["results"][2][1] and "host" in batch["results"][3][1]
    last = sum(1 for r in batch["results"] if r[0] not in ("refused", "denied")) - 1
    created = [c for c in batch["changes"] if c[0] == last and c[1] == ""]
    assert created[0][5] == services._unchecked_note()
    assert [e[5] for e in batch["events"] if e[0] == last and ("created", True) in e[5]] == [
        [("created", True), ("rules_checked", False)]
    ]
    assert len(batch["follow_ups"]) == 8 and sum(1 for f in batch["follow_ups"] if f[4]) >= 5


def test_the_queries_do_not_grow_with_the_entries(cast):
    person = make_person(registered_by=cast.org_a, last_name="Brambilla")
    large = make_host("Logistica Grande", employees=3000)

    def queries(count: int, year: int) -> int:
        entries = [
            {"person": person, "case": None,
             "fields": internship_fields(large, starts_on=datetime.date(year, 1 + n % 12, 1),
                                         planned_end_on=datetime.date(year, 1 + n % 12, 20)),
             "route": [step(PathStatus.ACTIVE, datetime.date(year, 1 + n % 12, 1)),
                       step(PathStatus.COMPLETED, datetime.date(year, 1 + n % 12, 20))]}
            for n in range(count)
        ]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            results = paths_record_many(actor=cast.operator_a, entries=entries)
        assert all(isinstance(r, Path) for r in results), results
        return len(captured)

    queries(1, 2019)
    # Constant but for SQLite, which splits a long insert by its limit of variables per statement.
    assert queries(40, 2020) <= queries(2, 2021) + 4


def test_interns_running_many_counts_what_host_interns_running_counts(cast):
    """The batch count of a host's internships in a period is the page's count, for every kind of overlap: ended
    before, during or after; running with or without a planned end; interrupted or converted; not an internship."""
    from paths.batch import interns_running_many
    from paths.selectors import host_interns_running

    person = make_person(registered_by=cast.org_a, last_name="Conti", first_name="Lia")
    host, other = make_host("Bottega Conteggi", employees=3), make_host("Altra Bottega", employees=3)
    day = datetime.date
    rows = [  # (kind, host, status, starts_on, planned_end_on, ended_on)
        (PathKind.INTERNSHIP, host, PathStatus.ACTIVE, day(2024, 1, 1), None, None),
        (PathKind.INTERNSHIP, host, PathStatus.ACTIVE, day(2024, 3, 1), day(2024, 6, 30), None),
        (PathKind.INCLUSION_INTERNSHIP, host, PathStatus.COMPLETED, day(2023, 5, 1), day(2023, 10, 31),
         day(2023, 10, 31)),
        (PathKind.INTERNSHIP, host, PathStatus.INTERRUPTED, day(2024, 2, 1), day(2024, 8, 31), day(2024, 4, 15)),
        (PathKind.INTERNSHIP, host, PathStatus.CONVERTED, day(2024, 5, 1), day(2024, 12, 31), day(2024, 9, 30)),
        (PathKind.INTERNSHIP, host, PathStatus.PLANNED, day(2025, 1, 1), day(2025, 6, 30), None),
        (PathKind.HIRING_FIXED_TERM, host, PathStatus.ACTIVE, day(2024, 1, 1), None, None),
        (PathKind.INTERNSHIP, other, PathStatus.ACTIVE, day(2024, 1, 1), None, None),
    ]  # fmt: skip
    for kind, at, status, starts_on, planned_end_on, ended_on in rows:
        Path.objects.create(
            person=person, organisation=cast.org_a, kind=kind, host=at, status=status, title="Banco",
            starts_on=starts_on, planned_end_on=planned_end_on, ended_on=ended_on,
            interruption_reason="drop_out" if status == PathStatus.INTERRUPTED else "",
        )  # fmt: skip
    windows = [(day(y, m, 1), day(y, m, 1) + datetime.timedelta(days=length))
               for y in (2023, 2024, 2025) for m in (1, 4, 7, 10) for length in (0, 45, 200)]  # fmt: skip
    pairs = [(at.pk, start, end) for start, end in windows for at in (host, other)]
    wanted = [(n, host_pk, start, end) for n, (host_pk, start, end) in enumerate(pairs)]
    counts = interns_running_many(wanted)
    expected = {key: host_interns_running(host_pk, start, end) for key, host_pk, start, end in wanted}
    assert {key: counts.get(key, 0) for key, *_rest in wanted} == expected
    assert len(set(expected.values())) >= 4  # the windows see different numbers of internships
