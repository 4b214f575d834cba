"""Comparing rows of the paths layout with Ponte, and writing them through paths.services.

A new path is planned with path_create and moved to its state with path_transition at the dates of the file
(active on its start, completed or interrupted on its end), so the Lombardy internship rules, the host's limits,
the history of the path and the audit events are those of the interface. A row is matched on its source key, else
on the person, host, kind and start of a path of the importer's organisation. A later file may change the details of
an open path (path_update) and move it on (active, completed, interrupted); kind, host and start are not changed,
and an ended path is not reopened.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Organisation
from imports.case_rows import CaseLookup, CasePlan, _fixed, _save_key, person_plan
from imports.choices import Entity, RowAction
from imports.layouts.cases import CaseContext, CaseRow
from imports.layouts.common import fingerprint
from imports.models import SourceKey
from paths import services as path_services
from paths.choices import FINAL_STATUSES, TRANSITIONS, PathStatus
from paths.models import Path

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
ROUTE = {
    PathStatus.PLANNED: (),
    PathStatus.ACTIVE: (PathStatus.ACTIVE,),
    PathStatus.COMPLETED: (PathStatus.ACTIVE, PathStatus.COMPLETED),
    PathStatus.INTERRUPTED: (PathStatus.ACTIVE, PathStatus.INTERRUPTED),
}


class PathLookup(CaseLookup):
    """CaseLookup, with the paths of the batch's persons in the importer's organisation, the cases named by
    their old id, the hosts and the service tutors."""

    def __init__(self, actor, ctx: CaseContext, rows: list[CaseRow]):
        super().__init__(actor, ctx, rows, Entity.PATHS)
        ids = set(self.persons)
        self.paths: dict[int, list[Path]] = {}
        paths = Path.objects.filter(person_id__in=ids, organisation_id=ctx.org_id).select_related("host")
        for path in paths.order_by("starts_on", "pk"):
            self.paths.setdefault(path.person_id, []).append(path)
        case_keys = {(r.source_system, r.values["case_source_id"]) for r in rows if r.values.get("case_source_id")}
        self.case_keys = {
            (k.source_system, k.source_id): k.object_id
            for k in SourceKey.objects.filter(
                organisation_id=ctx.org_id, entity=Entity.CASES, source_id__in={i for _s, i in case_keys}
            )
            if (k.source_system, k.source_id) in case_keys
        }
        host_ids = {r.values["host"] for r in rows if r.values.get("host")}
        self.hosts = Organisation.objects.select_related("employer_profile").in_bulk(host_ids) if host_ids else {}
        tutor_ids = {r.values["service_tutor"] for r in rows if r.values.get("service_tutor")}
        self.users = get_user_model().objects.in_bulk(tutor_ids) if tutor_ids else {}
        # (person, host, kind, start) of the paths this batch creates: a second one in the same batch is refused.
        self.creating: set[tuple] = set()

    def load_objects(self, object_ids: set[int]) -> dict:
        return Path.objects.select_related("host").in_bulk(object_ids)


def _resolved(values: dict, lookup: PathLookup) -> dict:
    """The details of a row as path_create and path_update take them (users and organisations, not ids)."""
    fields = {name: values[name] for name in DETAILS if name in values}
    if "service_tutor" in fields:
        fields["service_tutor"] = lookup.users[fields["service_tutor"]]
    return fields


def plan_path(actor, ctx: CaseContext, row: CaseRow, lookup: PathLookup) -> CasePlan:
    """Decide what a row of the paths layout does, reading Ponte but writing nothing."""
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
        _plan_path_changes(plan, path, key.fingerprints if key else {})
    else:
        _plan_new_path(plan, ctx, lookup)
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
        path_services._validate_path(draft)
    except ValidationError as exc:
        _errors_into(row, exc)
    if not row.errors:
        lookup.creating.add(slot)


def _plan_path_changes(plan: CasePlan, path: Path, known: dict) -> None:
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
    moves = status != export_status(path.status) and known.get("status") != fingerprint(status)
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
    elif path.status in FINAL_STATUSES and values.get("ended_on") and values["ended_on"] != path.ended_on:
        if known.get("ended_on") != fingerprint(values["ended_on"]):
            row.error("ended_on", _("The path ended in Ponte on %(date)s: write that date.")
                      % {"date": path.ended_on.strftime("%d/%m/%Y")})  # fmt: skip


def export_status(status: str) -> str:
    """The state an export writes, one an import takes: suspended as active, converted as completed."""
    return {PathStatus.SUSPENDED: PathStatus.ACTIVE, PathStatus.CONVERTED: PathStatus.COMPLETED}.get(status, status)


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


def apply_path(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: PathLookup) -> None:
    """Write a planned row of the paths layout through paths.services."""
    values = plan.row.values
    path = plan.obj
    if plan.action == RowAction.CREATE:
        path = path_services.path_create(
            actor=actor,
            person=plan.person,
            case=plan.case,
            kind=values["kind"],
            host=lookup.hosts[values["host"]],
            starts_on=values["starts_on"],
            **_resolved(values, lookup),
        )
        route = ROUTE[values["status"]]
    else:
        details = {name: values[name] for name in DETAILS if name in plan.changes}
        if details:
            resolved = _resolved(details, lookup)
            path = path_services.path_update(actor=actor, path=path, version=path.version, **resolved)
        route = ()
        if "status" in plan.changes:
            target = values["status"]
            route = (target,) if target in TRANSITIONS[PathStatus(path.status)] else (PathStatus.ACTIVE, target)
    for step in route:
        final = step in FINAL_STATUSES
        path = path_services.path_transition(
            actor=actor,
            path=path,
            to_status=step,
            on=values["ended_on"] if final else max(values["starts_on"], path.starts_on),
            reason=values.get("interruption_reason", "") if step == PathStatus.INTERRUPTED else "",
            note=values.get("outcome_note", "") if final else "",
        )
    if plan.action == RowAction.CREATE and path.is_hiring:
        # The old systems kept no job-maintenance checks: those already due are not left overdue in the agenda.
        path_services.follow_ups_waive_before(actor=actor, path=path, before=ctx.today)
    plan.obj = path
    _save_key(plan, Entity.PATHS, organisation, run, path.pk, lookup)
