"""Recording many paths of the past at once, for imports from the old systems (ADR 0019).

`paths_record_many` does for each entry what `path_create`, then `path_transition` for each step of its route,
then `follow_ups_waive_before` would do one by one — the same checks, messages, history, follow-ups and audit
events — reading what the checks need once per batch and writing with `core.bulk.insert_many`.
`paths/tests/test_batch.py` holds the two ways equal.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_for
from audit.choices import Action
from audit.services import audit_log_many
from core.bulk import insert_many, insert_values
from paths import rules as rules_mod
from paths import steps
from paths.choices import FINAL_STATUSES, FOLLOW_UP_MONTHS, INTERNSHIP_KINDS, PathStatus
from paths.models import FollowUp, InternshipRules, Path, PathChange
from people.models import Person
from people.permissions import treating_org_ids_many


def _overlaps(path: Path, start: datetime.date, end: datetime.date) -> bool:
    """paths.selectors.host_interns_running's test, for a path held in memory."""
    if path.starts_on > end:
        return False
    if not (
        (path.ended_on is None and path.planned_end_on is None)
        or (path.ended_on is None and path.planned_end_on >= start)
        or (path.ended_on is not None and path.ended_on >= start)
    ):
        return False
    return not (
        path.status in (PathStatus.INTERRUPTED, PathStatus.CONVERTED)
        and path.ended_on is not None
        and path.ended_on < start
    )


def interns_running_many(wanted: list[tuple[int, int, datetime.date, datetime.date]]) -> dict[int, int]:
    """host_interns_running for many (key, host, start, end) at once, in one query: {key: count}."""
    if not wanted:
        return {}
    table = connection.ops.quote_name(Path._meta.db_table)
    kinds = sorted(INTERNSHIP_KINDS)
    if connection.vendor == "postgresql":
        # One array a column: the same statement text at every batch, prepared once (ADR 0022, ADR 0023).
        wanted_rows = "SELECT * FROM unnest(%s::int[], %s::int[], %s::date[], %s::date[])"
        params = [list(column) for column in zip(*wanted, strict=True)]
    else:
        wanted_rows = "VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(wanted))
        params = [value for row in wanted for value in row]
    sql = f"""
        WITH w(key, host, start, stop) AS ({wanted_rows})
        SELECT w.key, COUNT(p.id) FROM w
        LEFT JOIN {table} p ON p.host_id = w.host AND p.kind IN ({", ".join(["%s"] * len(kinds))})
            AND p.starts_on <= w.stop
            AND ((p.ended_on IS NULL AND (p.planned_end_on IS NULL OR p.planned_end_on >= w.start))
                 OR p.ended_on >= w.start)
            AND NOT (p.status IN (%s, %s) AND p.ended_on < w.start)
        GROUP BY w.key
    """  # noqa: S608 - only placeholders and quoted names are interpolated
    params += [*kinds, PathStatus.INTERRUPTED, PathStatus.CONVERTED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def paths_record_many(*, actor, entries: list[dict]) -> list[Path | ValidationError | PermissionDenied]:
    """Record paths as path_create(actor, person, case, historical=`historical`, **fields), then path_transition
    for each step of `route` (dicts of to_status, on, reason, note), then follow_ups_waive_before(before=
    `waive_before`) would, entry by entry in order; returns each path or the exception that refused its entry
    (the others go on).

    Entries name no proposal or opportunity (those start from the pages). When the database refuses the batch
    (a constraint left to it), the entries are recorded one by one, each with its own message.
    """
    from paths.services import PATH_FIELDS, _unchecked_note

    access = access_for(actor)
    persons = {entry["person"].pk for entry in entries}
    changeable = set(Person.objects.restrict(actor, "change").filter(pk__any=persons).values_list("pk", flat=True))
    treating = treating_org_ids_many(
        {entry["person"] for entry in entries if entry["person"].pk in changeable}, access.write_org_ids
    )
    rules = list(InternshipRules.objects.order_by("-valid_from"))
    today = timezone.localdate()
    wanted = []
    for index, entry in enumerate(entries):
        fields = entry["fields"]
        if fields.get("kind") in INTERNSHIP_KINDS:
            start = fields["starts_on"]
            wanted.append((index, fields["host"].pk, start, fields.get("planned_end_on") or start))
    running = interns_running_many(wanted)
    earlier: dict[int, list[Path]] = {}  # by host: internships recorded by this batch, as later entries see them
    results: list = []
    changes, follow_ups, events = [], [], []
    for index, entry in enumerate(entries):
        person, case, fields = entry["person"], entry.get("case"), dict(entry["fields"])
        unknown = set(fields) - (set(PATH_FIELDS) - {"proposal", "opportunity"})
        if unknown:
            raise TypeError(f"Unknown fields {sorted(unknown)}")
        try:
            if person.pk not in changeable:
                raise PermissionDenied
            if case is not None:
                if case.person_id != person.pk:
                    raise ValidationError({"case": _("The case is not this person's.")})
                organisation_id = case.organisation_id
            else:
                writable = access.write_org_ids
                mine = treating[person.pk]
                organisation_id = min(mine or writable or {0})
            if organisation_id not in access.write_org_ids:
                raise PermissionDenied
            path = Path(person=person, case=case, organisation_id=organisation_id, **fields)

            def interns(path=path, index=index) -> int:
                end = path.planned_end_on or path.starts_on
                return running.get(index, 0) + sum(
                    1 for p in earlier.get(path.host_id, ()) if _overlaps(p, path.starts_on, end)
                )

            checked = steps.check_path(
                path, rules=rules, host_interns=interns, historical=entry.get("historical", False)
            )
            path.full_clean(
                exclude=["person", "case", "host", "opportunity", "service_tutor", "previous", "organisation"],
                validate_unique=False,  # a path has no unique field but its key
                validate_constraints=False,
            )
            unchecked = path.is_internship and not checked
            note = _unchecked_note() if unchecked else ""
            detail = {"created": True, **({"rules_checked": False} if unchecked else {})}
            mine_changes = [
                {"path": path, "from_status": "", "to_status": path.status, "on": path.starts_on, "note": note}
            ]
            mine_events = [{"action": Action.PATH_SAVE, "obj": path, "person": person, "detail": detail}]
            mine_follow_ups: dict[int, dict] = {}
            for step in entry.get("route", ()):
                previous, reason, on = steps.apply_transition(
                    path, to_status=step["to_status"], on=step.get("on"), reason=step.get("reason", ""),
                    note=step.get("note", ""), today=today,
                )  # fmt: skip
                if path.status == PathStatus.ACTIVE and path.is_hiring:
                    for months in FOLLOW_UP_MONTHS:
                        mine_follow_ups.setdefault(
                            months,
                            {
                                "path": path,
                                "months": months,
                                "due_on": rules_mod.add_months(path.starts_on, months),
                                "cancelled": False,
                            },
                        )
                if path.status in FINAL_STATUSES:
                    for follow_up in mine_follow_ups.values():  # none is done yet
                        if follow_up["due_on"] > path.ended_on:
                            follow_up["cancelled"] = True
                mine_changes.append(
                    {"path": path, "from_status": previous, "to_status": path.status, "on": on, "reason": reason,
                     "note": step.get("note", "")}
                )  # fmt: skip
                mine_events.append(
                    {"action": Action.PATH_SAVE, "obj": path, "person": person,
                     "detail": {"from": previous, "to": path.status, "reason": reason, "version": path.version}}
                )  # fmt: skip
            before = entry.get("waive_before")
            if before is not None:
                waived = [f for f in mine_follow_ups.values() if not f["cancelled"] and f["due_on"] < before]
                for follow_up in waived:
                    follow_up["cancelled"] = True
                if waived:
                    mine_events.append(
                        {"action": Action.PATH_SAVE, "obj": path, "person": person,
                         "detail": {"follow_ups_waived": len(waived), "before": before.isoformat()}}
                    )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            results.append(exc)
            continue
        results.append(path)
        if path.is_internship:
            earlier.setdefault(path.host_id, []).append(path)
        changes.extend(mine_changes)
        follow_ups.extend(mine_follow_ups.values())
        events.extend(mine_events)
    paths = [p for p in results if isinstance(p, Path)]
    try:
        with transaction.atomic():
            insert_many(Path, paths)
            for row in changes:
                row["path_id"], row["by_id"] = row.pop("path").pk, actor.pk
            for row in follow_ups:
                row["path_id"] = row.pop("path").pk
            insert_values(PathChange, changes)
            insert_values(FollowUp, follow_ups)
            audit_log_many(actor=actor, events=events)
    except IntegrityError:
        return [_record_one(actor, entry) for entry in entries]
    return results


def _record_one(actor, entry: dict) -> Path | ValidationError | PermissionDenied:
    """One entry through the services, in a savepoint: the path or the refusal."""
    from paths import services

    try:
        with transaction.atomic():
            path = services.path_create(
                actor=actor, person=entry["person"], case=entry.get("case"), historical=entry.get("historical", False),
                **entry["fields"],
            )  # fmt: skip
            for step in entry.get("route", ()):
                path = services.path_transition(
                    actor=actor, path=path, to_status=step["to_status"], on=step.get("on"),
                    reason=step.get("reason", ""), note=step.get("note", ""),
                )  # fmt: skip
            if entry.get("waive_before") is not None:
                services.follow_ups_waive_before(actor=actor, path=path, before=entry["waive_before"])
        return path
    except (ValidationError, PermissionDenied) as exc:
        return exc
