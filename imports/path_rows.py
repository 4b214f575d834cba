"""Comparing rows of the paths layout with Ponte, and writing them through paths.services.

A new path is planned with path_create and moved to its state with path_transition at the dates of the file
(active on its start, suspended on suspended_on, completed or interrupted on its end), so the Lombardy internship
rules, the host's limits, the history of the path and the audit events are those of the interface. An internship
that started before the earliest rule set Ponte holds is created with path_create(historical=True): recorded
without the rule checks, which its history and audit event say. An internship converted to a hiring is two rows:
the internship's (status converted), imported as active, and on the next line the hiring's, naming the internship
in previous_source_id, which converts it with path_convert_to_hiring. A row is matched on its source key, else on
the person, host, kind and start of a path of the importer's organisation. A later file may change the details of
an open path (path_update) and move it on where the states allow; kind, host and start are not changed, and an
ended path is not reopened.

At commit, the new paths of a batch are recorded together (paths.batch.paths_record_many, the same checks and
records as the services one by one); the other rows are written one by one, in file order, between them.
"""

import datetime
from functools import cached_property

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from imports.case_rows import CaseLookup, CasePlan, _fixed, _save_key, person_plan
from imports.choices import Entity, RowAction
from imports.layouts.cases import CaseContext, CaseRow
from imports.layouts.common import fingerprint
from imports.models import SourceKey
from paths import services as path_services
from paths import steps
from paths.batch import interns_running_many, paths_record_many
from paths.choices import FINAL_STATUSES, HIRING_KINDS, INTERNSHIP_KINDS, TRANSITIONS, PathStatus
from paths.models import InternshipRules, Path, PathChange

# Details of a path a later file may change while it is open (path_update), in layout order.
DETAILS = (
    "title",
    "planned_end_on",
    "hours_per_week",
    "days_per_week",
    "host_tutor",
    "service_tutor",
    "beneficiary_category",
    "monthly_indemnity",
    "meal_vouchers",
)
# The states a path goes through, from planned, to reach the state of the file.
# A converted internship stops at active: the hiring's row, on the next line, converts it.
ROUTE = {
    PathStatus.PLANNED: (),
    PathStatus.ACTIVE: (PathStatus.ACTIVE,),
    PathStatus.SUSPENDED: (PathStatus.ACTIVE, PathStatus.SUSPENDED),
    PathStatus.COMPLETED: (PathStatus.ACTIVE, PathStatus.COMPLETED),
    PathStatus.INTERRUPTED: (PathStatus.ACTIVE, PathStatus.INTERRUPTED),
    PathStatus.CONVERTED: (PathStatus.ACTIVE,),
}


class PathLookup(CaseLookup):
    """CaseLookup, with the paths of the batch's persons in the importer's organisation, the cases named by
    their old id, the hosts and the service tutors."""

    def __init__(self, actor, ctx: CaseContext, rows: list[CaseRow]):
        super().__init__(actor, ctx, rows, Entity.PATHS)
        ids = set(self.persons)
        self.paths: dict[int, list[Path]] = {}
        paths = Path.objects.filter(person_id__any=ids, organisation_id=ctx.org_id).select_related("host")
        for path in paths.order_by("starts_on", "pk"):
            self.paths.setdefault(path.person_id, []).append(path)
        case_keys = {(r.source_system, r.values["case_source_id"]) for r in rows if r.values.get("case_source_id")}
        self.case_keys = {
            key: k.object_id for key, k in SourceKey.objects.keyed(ctx.org_id, Entity.CASES, case_keys).items()
        }
        host_ids = {r.values["host"] for r in rows if r.values.get("host")}
        # The hosts with their employer profiles, read once for the file (the context lives for the whole file, a
        # lookup for one batch): a file of 300,000 paths names a few hundred hosts, each in batch after batch.
        hosts = ctx.__dict__.setdefault("_path_rows_hosts", {})
        if missing := host_ids - hosts.keys():
            hosts.update(Organisation.objects.select_related("employer_profile").in_bulk(missing))
        self.hosts = {pk: hosts[pk] for pk in host_ids if pk in hosts}
        tutor_ids = {r.values["service_tutor"] for r in rows if r.values.get("service_tutor")}
        self.users = get_user_model().objects.in_bulk(tutor_ids) if tutor_ids else {}
        # (person, host, kind, start) of the paths this batch creates: a second one in the same batch is refused.
        self.creating: set[tuple] = set()
        # The row after each row of the batch: an internship's row is followed by its hiring's. A batch never
        # ends on a converted internship's row (keeps_next) unless the file does.
        self.next_rows = {row.line: after for row, after in zip(rows, rows[1:], strict=False)}
        # The context lives for the whole file and a lookup for one batch: the plan of the row read last is kept
        # there, so that a hiring's row finds its internship's on the line before, even across two batches.
        self.memory: dict = ctx.__dict__.setdefault("_path_rows_memory", {})
        # The paths named as the internship of a hiring, by old id, in any old system of the organisation.
        previous_ids = {r.values["previous_source_id"] for r in rows if r.values.get("previous_source_id")}
        self.previous_keys: dict[str, list[SourceKey]] = {}
        if previous_ids:
            for k in SourceKey.objects.filter(
                organisation_id=ctx.org_id, entity=Entity.PATHS, source_id__any=previous_ids
            ).order_by("pk"):
                self.previous_keys.setdefault(k.source_id, []).append(k)
        ids = {k.object_id for keys in self.previous_keys.values() for k in keys}
        self.previous_paths = Path.objects.select_related("host").in_bulk(ids) if ids else {}
        self._suspended_on: dict[int, datetime.date | None] = {}
        # What the checks of a new path read, once for the batch: the rule sets (and `interns`).
        self.rules = list(InternshipRules.objects.order_by("-valid_from"))
        # Whether planning checks a new path as path_create will (the preview, and the commit row by row); a batch
        # commit leaves it to paths_record_many, whose refusals come back to their rows (commit_batch).
        self.check_new_paths = True
        self._rows = rows

    @cached_property
    def interns(self) -> dict[int, int]:
        """Each new internship's host's other internships at its time, by line (host_interns_running, in one
        query), read when a check first needs it."""
        return interns_running_many(
            [
                (
                    r.line,
                    r.values["host"],
                    r.values["starts_on"],
                    r.values.get("planned_end_on") or r.values["starts_on"],
                )
                for r in self._rows
                if not r.errors and r.values.get("kind") in INTERNSHIP_KINDS
            ]
        )

    @property
    def before(self) -> CasePlan | None:
        """The plan of the row read before the one being planned."""
        return self.memory.get("before")

    def remember(self, plan: CasePlan) -> None:
        self.memory["before"] = plan

    def previous_path(self, system: str, old_id: str) -> Path | None:
        """The path with this old id: of the row's old system, else of the only other system that has it."""
        keys = self.previous_keys.get(old_id, [])
        chosen = [k for k in keys if k.source_system == system] or (keys if len(keys) == 1 else [])
        return self.previous_paths.get(chosen[0].object_id) if chosen else None

    def suspended_on(self, path: Path) -> datetime.date | None:
        """The day a suspended path was suspended, from its history."""
        if path.pk not in self._suspended_on:
            self._suspended_on[path.pk] = suspension_date(path.pk)
        return self._suspended_on[path.pk]

    def load_objects(self, object_ids: set[int]) -> dict:
        return Path.objects.select_related("host").in_bulk(object_ids)


def suspension_date(path_id: int) -> datetime.date | None:
    """The day of the path's latest suspension in its history (PathChange), None if it was never suspended."""
    changes = PathChange.objects.filter(path_id=path_id, to_status=PathStatus.SUSPENDED).order_by("-at", "-pk")
    return changes.values_list("on", flat=True).first()


def _resolved(values: dict, lookup: PathLookup) -> dict:
    """The details of a row as path_create and path_update take them (users and organisations, not ids)."""
    fields = {name: values[name] for name in DETAILS if name in values}
    if "service_tutor" in fields:
        fields["service_tutor"] = lookup.users[fields["service_tutor"]]
    return fields


def plan_path(actor, ctx: CaseContext, row: CaseRow, lookup: PathLookup) -> CasePlan:
    """Decide what a row of the paths layout does, reading Ponte but writing nothing."""
    plan = _plan_path(actor, ctx, row, lookup)
    lookup.remember(plan)
    return plan


def _plan_path(actor, ctx: CaseContext, row: CaseRow, lookup: PathLookup) -> CasePlan:
    plan = person_plan(row, lookup)
    if plan.action == RowAction.ERROR:
        return plan
    person = plan.person
    values = row.values
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    path = lookup.objects.get(key.object_id) if key is not None else None
    if path is None:
        path = next(
            (
                p
                for p in lookup.paths.get(person.pk, [])
                if (p.host_id, p.kind, p.starts_on) == (values["host"], values["kind"], values["starts_on"])
            ),
            None,
        )
    if path is not None and path.person_id != person.pk:
        row.error("source_id", _("This old id was imported as a path of another person: check the old id."))
    elif path is not None:
        _plan_path_changes(plan, path, key.fingerprints if key else {}, lookup)
    else:
        _plan_new_path(plan, ctx, lookup)
    if not row.errors and values.get("previous_source_id"):
        _plan_previous(plan, path, lookup)
    if not row.errors and values["status"] == PathStatus.CONVERTED:
        _plan_hiring_follows(plan, path, lookup)
    if row.errors:
        plan.action = RowAction.ERROR
    elif path is None:
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
    else:
        plan.action = RowAction.UPDATE if plan.changes else RowAction.UNCHANGED
    return plan


def _case_of(plan: CasePlan, ctx: CaseContext, lookup: PathLookup):
    """The case the row names by its old id: a case of the person in the importer's organisation."""
    row = plan.row
    old_id = row.values.get("case_source_id")
    if not old_id:
        return None
    case_id = lookup.case_keys.get((row.source_system, old_id))
    case = next((c for c in lookup.cases.get(plan.person.pk, []) if c.pk == case_id), None)
    if case is None or case.organisation_id != ctx.org_id:
        row.error(
            "case_source_id",
            _("No case of this person has this old id in your imports: import the case first, or empty the cell."),
        )
    return case


def _plan_new_path(plan: CasePlan, ctx: CaseContext, lookup: PathLookup) -> None:
    row, values, person = plan.row, plan.row.values, plan.person
    treats = person.registered_by_id == ctx.org_id or any(
        c.organisation_id == ctx.org_id for c in lookup.cases.get(person.pk, [])
    )
    if not treats or person.pk not in lookup.changeable:
        row.error(
            "fiscal_code",
            _(
                "Your organisation does not treat this person: a path is imported by the organisation that registered "
                "the person or holds a case of theirs. Import the case first."
            ),
        )
        return
    plan.case = _case_of(plan, ctx, lookup)
    slot = (person.pk, values["host"], values["kind"], values["starts_on"])
    if slot in lookup.creating:
        row.error("starts_on", _("The file has this path twice (same person, host, kind and start)."))
        return
    if row.errors:
        return
    if not lookup.check_new_paths:
        lookup.creating.add(slot)
        return
    # The checks of path_create on the path as it would be saved (internship rules, host's limits), nothing saved.
    draft = Path(
        person=person,
        organisation_id=ctx.org_id,
        host=lookup.hosts[values["host"]],
        kind=values["kind"],
        starts_on=values["starts_on"],
        **_resolved(values, lookup),
    )
    try:
        # path_create's checks (paths.steps) with what the lookup read for the batch; the database's constraints
        # apply at the insert, and the layout has checked the dates they concern.
        steps.check_path(
            draft, rules=lookup.rules, host_interns=lambda: lookup.interns.get(row.line, 0), historical=True
        )
        draft.full_clean(
            exclude=["person", "case", "host", "opportunity", "service_tutor", "previous", "organisation"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        _errors_into(row, exc)
    if not row.errors:
        lookup.creating.add(slot)


def _plan_path_changes(plan: CasePlan, path: Path, known: dict, lookup: PathLookup) -> None:
    row, values = plan.row, plan.row.values
    plan.obj = path
    _fixed(
        plan,
        known,
        {"kind": path.kind, "host": path.host_id, "starts_on": path.starts_on},
        {"host": path.host.name, "kind": path.get_kind_display()},
    )
    changed = {
        name: values[name]
        for name in DETAILS
        if name in values and values[name] != getattr(path, f"{name}_id" if name == "service_tutor" else name)
        and known.get(name) != fingerprint(values[name])
    }  # fmt: skip
    status = values["status"]
    moves = status != path.status and known.get("status") != fingerprint(status)
    if changed and not path.is_open:
        for name in changed:
            row.error(name, _("The path has ended in Ponte: an import does not change it. Write what Ponte has."))
    elif changed:
        plan.changes.update(changed)
    if moves:
        if status not in _reachable(path.status):
            row.error(
                "status",
                _("The path is %(status)s in Ponte: an import does not change it back. Write what Ponte has.")
                % {"status": path.get_status_display()},
            )
        else:
            plan.changes["status"] = status
        suspended = lookup.suspended_on(path) if path.status == PathStatus.SUSPENDED else None
        if suspended and values.get("ended_on") and values["ended_on"] < suspended:
            row.error("ended_on", _("The path was suspended in Ponte on %(date)s: it cannot end before that day.")
                      % {"date": suspended.strftime("%d/%m/%Y")})  # fmt: skip
    elif status == PathStatus.SUSPENDED and path.status == PathStatus.SUSPENDED:
        suspended = lookup.suspended_on(path)
        if (
            suspended
            and values["suspended_on"] != suspended
            and known.get("suspended_on") != fingerprint(values["suspended_on"])
        ):
            row.error("suspended_on", _("The path was suspended in Ponte on %(date)s: write that date.")
                      % {"date": suspended.strftime("%d/%m/%Y")})  # fmt: skip
    elif path.status in FINAL_STATUSES and values.get("ended_on") and values["ended_on"] != path.ended_on:
        if known.get("ended_on") != fingerprint(values["ended_on"]):
            row.error("ended_on", _("The path ended in Ponte on %(date)s: write that date.")
                      % {"date": path.ended_on.strftime("%d/%m/%Y")})  # fmt: skip


def keeps_next(row: CaseRow) -> bool:
    """An internship's row with status converted is read and written in the same batch as the row after it, its
    hiring's: the two are checked together and go in together."""
    return row.values.get("status") == PathStatus.CONVERTED


def _plan_hiring_follows(plan: CasePlan, path: Path | None, lookup: PathLookup) -> None:
    """An internship's row with status converted: its hiring's row must follow, naming it, starting the day after
    the internship's end (the conversion closes the internship the day before the hiring starts)."""
    row, values = plan.row, plan.row.values
    if path is not None and path.status == PathStatus.CONVERTED:
        return  # converted in Ponte already: the end date was compared above
    after = lookup.next_rows.get(row.line)
    if after is None or not row.source_id or after.values.get("previous_source_id") != row.source_id:
        row.error(
            "status",
            _(
                "An internship converted to a hiring needs its hiring: on the next line, put the hiring's row with "
                "this row's old id in previous_source_id."
            ),
        )
    elif after.errors:
        row.error("status", _("The hiring on the next line has errors: correct them too, the two go in together."))
    elif after.values.get("starts_on"):
        end = max(values["starts_on"], after.values["starts_on"] - datetime.timedelta(days=1))
        if values["ended_on"] != end:
            row.error(
                "ended_on",
                _("The hiring on the next line starts on %(start)s: the internship ends the day before, %(end)s. "
                  "Write that date.")
                % {"start": after.values["starts_on"].strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")},
            )  # fmt: skip


def _plan_previous(plan: CasePlan, path: Path | None, lookup: PathLookup) -> None:
    """A hiring's row naming the internship it came from: that internship, on the line before (status converted)
    or already in Ponte, of the same person, at the same host; `plan.path` is the internship to convert."""
    row, values = plan.row, plan.row.values
    old_id = values["previous_source_id"]
    before = lookup.before
    paired = (
        before is not None
        and before.row.source_id == old_id
        and (before.action == RowAction.ERROR or before.row.values.get("status") == PathStatus.CONVERTED)
    )
    if paired and before.action == RowAction.ERROR:
        row.error(
            "previous_source_id",
            _("The internship on line %(line)d has errors: correct them first, the hiring is converted from it.")
            % {"line": before.row.line},
        )
        return
    internship = before.obj if paired else lookup.previous_path(row.source_system, old_id)
    if internship is None and not paired:
        row.error(
            "previous_source_id",
            _(
                "No internship has this old id in your imports: put the internship's row, with status converted, "
                "on the line before this one, or import it first."
            ),
        )
        return
    if internship is not None:
        facts = (internship.person_id, internship.kind, internship.host_id, internship.starts_on, internship.case_id)
    else:  # the internship of the line before, not in Ponte yet (preview)
        b = before.row.values
        facts = (before.person.pk, b["kind"], b["host"], b["starts_on"], before.case.pk if before.case else None)
    person_id, kind, host_id, starts_on, case_id = facts
    if person_id != plan.person.pk:
        row.error("previous_source_id", _("The path with this old id is another person's: check the old id."))
    elif kind not in INTERNSHIP_KINDS:
        row.error("previous_source_id", _("The path with this old id is not an internship: check the old id."))
    elif path is not None:
        if path.previous_id != (internship.pk if internship else None):
            row.error(
                "previous_source_id",
                _(
                    "Ponte records this hiring as coming from another internship, or from none: an import does not "
                    "change that. Write what Ponte has."
                ),
            )
        return
    if row.errors:
        return
    if host_id != values["host"]:
        host = internship.host.name if internship else lookup.hosts[host_id].name
        row.error("host", _("A hiring converted from an internship is at the internship's host: write %(host)s.")
                  % {"host": host})  # fmt: skip
    if values["starts_on"] < starts_on:
        row.error("starts_on", _("The hiring cannot start before its internship (%(date)s): check both dates.")
                  % {"date": starts_on.strftime("%d/%m/%Y")})  # fmt: skip
    if plan.case is not None and plan.case.pk != case_id:
        row.error(
            "case_source_id",
            _("A hiring converted from an internship belongs to the internship's case: write that case, or empty "
              "this cell."),
        )  # fmt: skip
    if internship is not None and internship.status != PathStatus.ACTIVE:
        moved_before = paired and internship.status in (PathStatus.PLANNED, PathStatus.SUSPENDED)
        if internship.status == PathStatus.CONVERTED:
            row.error(
                "previous_source_id",
                _("This internship was already converted to another hiring in Ponte: check the old id."),
            )
        elif not moved_before:
            row.error(
                "previous_source_id",
                _("The internship is %(status)s in Ponte: only an active internship is converted to a hiring.")
                % {"status": internship.get_status_display()},
            )
    plan.path = internship


def _reachable(status: str) -> set[str]:
    """The states a path in `status` can move to, directly or through another one."""
    direct = set(TRANSITIONS[PathStatus(status)])
    return direct | {later for step in direct for later in TRANSITIONS[PathStatus(step)]}


# Fields the path services name that are columns of another name in the layout.
FIELD_COLUMNS = {"on": "ended_on", "to_status": "status", "reason": "interruption_reason"}


def _errors_into(row: CaseRow, exc: ValidationError) -> None:
    from imports.layouts.paths import PATH_COLUMNS

    names = {column.name for column in PATH_COLUMNS}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            column = FIELD_COLUMNS.get(name, name)
            for error in errors:
                row.error(column if column in names else "", " ".join(error.messages))
    else:
        for message in exc.messages:
            row.error("", message)


def service_errors(row: CaseRow, exc: Exception) -> None:
    """A service's refusal as row errors, on the column of the field it names."""
    if isinstance(exc, PermissionDenied):
        row.error("fiscal_code", _("Your organisation may not work on this person's paths."))
    else:
        _errors_into(row, exc)


def _route(current: str, target: str) -> tuple[str, ...]:
    """The steps from the state of a path in Ponte to the state of the file (a converted internship: to active)."""
    if target == PathStatus.CONVERTED:
        return () if current == PathStatus.ACTIVE else (PathStatus.ACTIVE,)
    if target == current:
        return ()
    return (target,) if target in TRANSITIONS[PathStatus(current)] else (PathStatus.ACTIVE, target)


def _step_on(step: str, values: dict, path: Path, ctx: CaseContext) -> datetime.date:
    """The day of a step: its end, its suspension, its start; a suspended path resumes by its end (the file does
    not say when it resumed) or, still running, on the day of the import."""
    if step in FINAL_STATUSES:
        return values["ended_on"]
    if step == PathStatus.SUSPENDED:
        return values["suspended_on"]
    if path.status == PathStatus.SUSPENDED:
        return values.get("ended_on") or ctx.today
    return max(values["starts_on"], path.starts_on)


def _convert(actor, plan: CasePlan, lookup: PathLookup) -> Path:
    """The hiring of a row naming its internship: the conversion of the page, then the row's other details."""
    values = plan.row.values
    internship = Path.objects.get(pk=plan.path.pk)
    hiring = path_services.path_convert_to_hiring(
        actor=actor,
        path=internship,
        kind=values["kind"],
        starts_on=values["starts_on"],
        planned_end_on=values.get("planned_end_on"),
        hours_per_week=values.get("hours_per_week"),
        title=values.get("title", ""),
        version=internship.version,
    )
    rest = {name: value for name, value in _resolved(values, lookup).items() if getattr(hiring, name) != value}
    if rest:
        hiring = path_services.path_update(actor=actor, path=hiring, version=hiring.version, **rest)
    return hiring


def apply_path(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: PathLookup) -> None:
    """Write a planned row of the paths layout through paths.services."""
    values = plan.row.values
    path = plan.obj
    if plan.action == RowAction.CREATE and values.get("previous_source_id"):
        path = _convert(actor, plan, lookup)
        route = _route(path.status, values["status"])
    elif plan.action == RowAction.CREATE:
        path = path_services.path_create(
            actor=actor,
            person=plan.person,
            case=plan.case,
            kind=values["kind"],
            host=lookup.hosts[values["host"]],
            starts_on=values["starts_on"],
            historical=True,
            **_resolved(values, lookup),
        )
        route = ROUTE[values["status"]]
    else:
        details = {name: values[name] for name in DETAILS if name in plan.changes}
        if details:
            resolved = _resolved(details, lookup)
            path = path_services.path_update(actor=actor, path=path, version=path.version, historical=True, **resolved)
        route = _route(path.status, values["status"]) if "status" in plan.changes else ()
    for step in route:
        final = step in FINAL_STATUSES
        path = path_services.path_transition(
            actor=actor,
            path=path,
            to_status=step,
            on=_step_on(step, values, path, ctx),
            reason=values.get("interruption_reason", "") if step == PathStatus.INTERRUPTED else "",
            note=values.get("outcome_note", "") if final else "",
        )
    if plan.action == RowAction.CREATE and path.is_hiring:
        # The old systems kept no job-maintenance checks: those already due are not left overdue in the agenda.
        path_services.follow_ups_waive_before(actor=actor, path=path, before=ctx.today)
    plan.obj = path
    _save_key(plan, Entity.PATHS, organisation, run, path.pk, lookup)


def _written_alone(plan: CasePlan) -> bool:
    """Whether a row is written on its own: a change, or one half of a conversion (it reads or is read by its
    neighbour). New paths go together."""
    values = plan.row.values
    return (
        plan.action != RowAction.CREATE
        or bool(values.get("previous_source_id"))
        or values["status"] == PathStatus.CONVERTED
    )


def _entry(plan: CasePlan, ctx: CaseContext, lookup: PathLookup) -> dict:
    """A new path's row as paths_record_many takes it: what apply_path passes to path_create and path_transition."""
    values = plan.row.values
    route = []
    for step in ROUTE[values["status"]]:
        final = step in FINAL_STATUSES
        on = values["ended_on"] if final else values["suspended_on"] if step == PathStatus.SUSPENDED else None
        route.append(
            {
                "to_status": step,
                "on": on or values["starts_on"],
                "reason": values.get("interruption_reason", "") if step == PathStatus.INTERRUPTED else "",
                "note": values.get("outcome_note", "") if final else "",
            }
        )
    fields = {"kind": values["kind"], "host": lookup.hosts[values["host"]], "starts_on": values["starts_on"]}
    return {
        "person": plan.person,
        "case": plan.case,
        "historical": True,
        "fields": {**fields, **_resolved(values, lookup)},
        "route": route,
        "waive_before": ctx.today if values["kind"] in HIRING_KINDS else None,
    }


def commit_batch(actor, ctx: CaseContext, rows: list[CaseRow], lookup: PathLookup, *, organisation, run) -> list:
    """Plan and write a batch as plan_path and apply_path would row by row: the runs of new paths between the rows
    written alone are recorded together, and a new path the services refuse is reported on its row with their
    message, as row by row."""
    lookup.check_new_paths = False  # paths_record_many makes path_create's checks, once
    plans: list[CasePlan] = []
    waiting: list[CasePlan] = []

    def record_waiting() -> None:
        if not waiting:
            return
        results = paths_record_many(actor=actor, entries=[_entry(plan, ctx, lookup) for plan in waiting])
        for plan, result in zip(waiting, results, strict=True):
            if isinstance(result, Path):
                plan.obj = result
                _save_key(plan, Entity.PATHS, organisation, run, result.pk, lookup)
            else:
                # Refused as path_create would refuse it row by row; a refused path is not counted by the later
                # entries' checks either, so the others stand as they would row by row.
                service_errors(plan.row, result)
                plan.action = RowAction.ERROR
        waiting.clear()

    for row in rows:
        plan = plan_path(actor, ctx, row, lookup)
        plans.append(plan)
        if plan.action == RowAction.CREATE and not _written_alone(plan):
            waiting.append(plan)
            continue
        record_waiting()
        if plan.action in (RowAction.CREATE, RowAction.UPDATE, RowAction.UNCHANGED):
            try:
                with transaction.atomic():
                    apply_path(actor, ctx, plan, organisation=organisation, run=run, lookup=lookup)
            except (ValidationError, PermissionDenied) as exc:
                service_errors(row, exc)
                plan.action = RowAction.ERROR
    record_waiting()
    return plans
