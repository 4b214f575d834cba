"""Comparing rows of the cases and referrals layouts with Ponte, and writing them (docs/adr/0008).

Cases are written by cases.services themselves (case_open, case_record_closed for a past closed case, case_close,
case_assign), which take past dates and refuse future ones; the decisions on a referral by the dated services
referral_accept_on, referral_reject_on and referral_withdraw_on, which record them on the days of the file with the
checks and audit events of the pages (the receiver decides, the sender withdraws, not before it was sent). Sending
carries a timestamp that cases.services sets to "now", so the sending of a referral of 2015 is recorded here, with
the checks of referral_send applied at the dates of the file: the consent must have been in force on the day it was
sent, and it writes the audit event the interface writes. A row is matched on its source key, then on what
identifies the record (person, unit, area and date), so that a file imported again or a Ponte export finds its
records.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Unit
from cases import services as case_services
from cases.choices import CaseStatus, ReferralStatus
from cases.models import Case, Referral
from imports.cells import fold
from imports.choices import Entity, RowAction
from imports.layouts.cases import CaseContext, CaseRow
from imports.layouts.common import fingerprint
from imports.models import SourceKey
from imports.person_rows import _live
from paths.models import Path
from people.choices import ConsentPurpose
from people.models import Consent, Person

NOT_FOUND = (
    "No person with this %(what)s is registered where your organisation can see them: import them first with the "
    "persons layout, or check the cell."
)


def context(actor, run) -> CaseContext:
    """Organisations, units and case managers, read once per import."""
    organisations: dict[str, int] = {}
    for org_id, name, short in Organisation.objects.values_list("pk", "name", "short_name"):
        organisations[fold(name)] = org_id
        if short:
            organisations.setdefault(fold(short), org_id)
    units: dict[str, list[tuple[int, int]]] = {}
    for unit_id, org_id, name in Unit.objects.values_list("pk", "organisation_id", "name"):
        units.setdefault(fold(name), []).append((org_id, unit_id))
    managers = {
        username.lower(): pk
        for username, pk in case_services.eligible_case_managers(run.organisation_id).values_list("username", "pk")
    }
    return CaseContext(
        org_id=run.organisation_id,
        default_source_system=run.source_system,
        organisations=organisations,
        units=units,
        case_managers=managers,
    )


@dataclass
class CasePlan:
    """What importing a row of the cases or referrals layout will do (preview) or did (commit)."""

    row: CaseRow
    action: str = RowAction.CREATE
    person: Person | None = None
    obj: Case | Referral | None = None
    source_key: SourceKey | None = None
    changes: dict = field(default_factory=dict)
    consent: Consent | None = None
    case: Case | None = None
    path: object = None  # the path an event concerns (events layout)
    organisation: object = None  # the organisation an employer row names (employers layout)
    instrument_version: object = None  # the instrument version of an assessment (assessments layout)

    def as_report(self) -> dict:
        return {
            "line": self.row.line,
            "key": f"{self.row.source_system}:{self.row.source_id}",
            "name": self.row.name,
            "action": str(self.action),
            "person": self.person.pk if self.person else None,
            "fields": sorted(self.changes) if self.action == RowAction.UPDATE else [],
            "errors": [list(error) for error in self.row.errors],
        }


class CaseLookup:
    """What a batch of rows needs from Ponte, read in a few queries: source keys, persons, their cases, referrals
    and consents, units and users."""

    def __init__(self, actor, ctx: CaseContext, rows: list[CaseRow], entity: str):
        self.entity = entity
        keys = {(r.source_system, r.source_id) for r in rows if r.source_id}
        self.keys = SourceKey.objects.keyed(ctx.org_id, entity, keys)
        person_keys = {
            (r.source_system, r.values["person_source_id"]) for r in rows if r.values.get("person_source_id")
        }
        found = (
            SourceKey.objects.select_related("person")
            .defer("fingerprints")
            .keyed(ctx.org_id, Entity.PERSONS, person_keys)
        )
        self.person_keys = {key: k.person for key, k in found.items() if k.person is not None}
        codes = {r.values["fiscal_code"] for r in rows if r.values.get("fiscal_code")}
        self.by_code = {p.fiscal_code: p for p in Person.objects.live().filter(fiscal_code__any=codes)}
        for key, person in list(self.person_keys.items()):
            self.person_keys[key] = _live(person)
        persons = {p.pk: p for p in [*self.by_code.values(), *self.person_keys.values()]}
        ids = set(persons)
        self.persons = persons
        self.visible = set(Person.objects.restrict(actor, "view").filter(pk__any=ids).values_list("pk", flat=True))
        self.changeable = set(Person.objects.restrict(actor, "change").filter(pk__any=ids).values_list("pk", flat=True))
        self.cases: dict[int, list[Case]] = {}
        for case in Case.objects.filter(person_id__any=ids).select_related("unit").order_by("opened_on", "pk"):
            self.cases.setdefault(case.person_id, []).append(case)
        self.referrals: dict[int, list[Referral]] = {}
        self.consents: dict[int, list[Consent]] = {}
        if entity == Entity.REFERRALS:
            for referral in Referral.objects.filter(person_id__any=ids).select_related(
                "consent", "from_unit", "to_unit"
            ):
                self.referrals.setdefault(referral.person_id, []).append(referral)
            for consent in Consent.objects.filter(
                person_id__any=ids, purpose__in=(ConsentPurpose.CARE, ConsentPurpose.SHARING)
            ).order_by("-given_on", "-pk"):
                self.consents.setdefault(consent.person_id, []).append(consent)
        self.care = set(
            Consent.objects.active()
            .filter(person_id__any=ids, purpose=ConsentPurpose.CARE, organisation_id=ctx.org_id)
            .values_list("person_id", flat=True)
        )
        object_ids = {k.object_id for k in self.keys.values() if k.object_id}
        self.objects = self.load_objects(object_ids) if object_ids else {}
        unit_ids = {r.values.get(n) for r in rows for n in ("unit", "from_unit", "to_unit")} - {None}
        self.units = Unit.objects.select_related("organisation").in_bulk(unit_ids) if unit_ids else {}
        user_ids = {r.values["case_manager"] for r in rows if r.values.get("case_manager")}
        from django.contrib.auth import get_user_model

        self.users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
        # (person, unit, area) of the cases this batch opens: a second one in the same batch is refused.
        self.opening: set[tuple[int, int, str]] = set()
        self.new_keys: list[SourceKey] = []

    def load_objects(self, object_ids: set[int]) -> dict:
        """The records the source keys of the batch point at, by id."""
        if self.entity == Entity.CASES:
            return Case.objects.select_related("unit").in_bulk(object_ids)
        return Referral.objects.select_related("from_unit", "to_unit", "consent").in_bulk(object_ids)

    def follows(self, person: Person, org_id: int) -> bool:
        """cases.services._follows, from what the batch read."""
        return (
            person.registered_by_id == org_id
            or any(c.organisation_id == org_id for c in self.cases.get(person.pk, []))
            or person.pk in self.care
        )


def _person(plan: CasePlan, lookup: CaseLookup) -> Person | None:
    """The person a row names, by old id and/or fiscal code; a row error when none is found or they disagree."""
    row, values = plan.row, plan.row.values
    by_key = by_code = None
    if values.get("person_source_id"):
        by_key = lookup.person_keys.get((row.source_system, values["person_source_id"]))
    if values.get("fiscal_code"):
        by_code = lookup.by_code.get(values["fiscal_code"])
    if by_key is not None and by_code is not None and by_key.pk != by_code.pk:
        row.error(
            "fiscal_code",
            _("The fiscal code and person_source_id name two different persons: check which one is right."),
        )
        return None
    person = by_key or by_code
    if person is None or person.pk not in lookup.visible:
        column, what = ("fiscal_code", _("fiscal code")) if values.get("fiscal_code") else (
            "person_source_id", _("old id")
        )  # fmt: skip
        row.error(column, _(NOT_FOUND) % {"what": what})
        return None
    return person


def _fixed(plan: CasePlan, known: dict, current: dict, shown: dict | None = None) -> None:
    """Fields an import does not change on an existing record: an error if the file changed them."""
    for name, value in current.items():
        new = plan.row.values.get(name)
        if new is None or new == value or known.get(name) == fingerprint(new):
            continue
        value = (shown or {}).get(name, value)
        plan.row.error(
            name,
            _(
                "Ponte has another value for this record (%(value)s): an import does not change it. Write what Ponte "
                "has, or correct the record in Ponte."
            )
            % {"value": value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else value},
        )


# ---------------------------------------------------------------------------------------------- cases


def paths_by_old_id(ctx: CaseContext, rows: list[CaseRow]) -> dict[tuple[str, str], Path | None]:
    """The paths of the importer's organisation that rows name by their old id (path_source_id, same system)."""
    path_keys = {(r.source_system, r.values["path_source_id"]) for r in rows if r.values.get("path_source_id")}
    keys = {key: k.object_id for key, k in SourceKey.objects.keyed(ctx.org_id, Entity.PATHS, path_keys).items()}
    paths = Path.objects.filter(organisation_id=ctx.org_id).in_bulk(set(keys.values())) if keys else {}
    return {key: paths.get(object_id) for key, object_id in keys.items()}


def plan_named_path(plan: CasePlan, paths: dict) -> None:
    """`plan.path`: the path the row names by old id (paths_by_old_id), which must be its person's; else an error."""
    row = plan.row
    plan.path = paths.get((row.source_system, row.values["path_source_id"]))
    if plan.path is None or plan.path.person_id != plan.person.pk:
        row.error(
            "path_source_id",
            _("No path of this person has this old id in your imports: import the path first, or empty the cell."),
        )


def person_plan(row: CaseRow, lookup) -> CasePlan:
    """A row's plan with the person it names (`plan.person`), or marked as an error: how every person-level
    layout (cases, referrals, paths, events, assessments) starts deciding what a row does."""
    plan = CasePlan(row=row)
    if not row.errors:
        plan.person = _person(plan, lookup)
    if row.errors or plan.person is None:
        plan.action = RowAction.ERROR
    return plan


def order_cases(rows: list[CaseRow]) -> list[CaseRow]:
    """Closed cases before open ones: a person's past case in a unit and area goes in before the open one."""
    return sorted(rows, key=lambda r: r.values.get("status") != CaseStatus.CLOSED)


def plan_case(actor, ctx: CaseContext, row: CaseRow, lookup: CaseLookup) -> CasePlan:
    """Decide what a row of the cases layout does, reading Ponte but writing nothing."""
    plan = person_plan(row, lookup)
    if plan.action == RowAction.ERROR:
        return plan
    person = plan.person
    values = row.values
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    case = lookup.objects.get(key.object_id) if key is not None else None
    if case is None:
        case = next(
            (
                c
                for c in lookup.cases.get(person.pk, [])
                if (c.unit_id, c.area, c.opened_on) == (values["unit"], values["area"], values["opened_on"])
            ),
            None,
        )
    if case is not None and case.person_id != person.pk:
        row.error("source_id", _("This old id was imported as a case of another person: check the old id."))
        plan.action = RowAction.ERROR
        return plan
    if case is None:
        _plan_new_case(plan, ctx, lookup)
    else:
        _plan_case_changes(plan, case, key.fingerprints if key else {})
    return plan


def _plan_new_case(plan: CasePlan, ctx: CaseContext, lookup: CaseLookup) -> None:
    row, values, person = plan.row, plan.row.values, plan.person
    if not lookup.follows(person, ctx.org_id):
        row.error(
            "unit",
            _(
                "Your organisation does not follow this person yet: import the person's consent to care (persons "
                "layout), or the referral whose acceptance opened this case (referrals layout)."
            ),
        )
    slot = (person.pk, values["unit"], values["area"])
    same = [c for c in lookup.cases.get(person.pk, []) if (c.unit_id, c.area) == slot[1:]]
    closed = values.get("closed_on")
    if closed:
        # A past case goes in next to the others of the unit and area, as long as the dates do not overlap.
        overlap = next(
            (c for c in same if c.opened_on < closed and (c.closed_on is None or values["opened_on"] < c.closed_on)),
            None,
        )
        if overlap is not None:
            row.error(
                "opened_on",
                _(
                    "The person has another case in this unit for this area from %(date)s: the dates overlap. Check "
                    "both cases' dates."
                )
                % {"date": overlap.opened_on.strftime("%d/%m/%Y")},
            )
    elif any(c.closed_on is None for c in same) or slot in lookup.opening:
        row.error(
            "unit",
            _(
                "The person already has an open case in this unit for this area: close it in Ponte first, or check "
                "the unit and the area."
            ),
        )
    if row.errors:
        plan.action = RowAction.ERROR
        return
    if values["status"] != CaseStatus.CLOSED:
        lookup.opening.add(slot)
    plan.action = RowAction.CREATE
    plan.changes = dict(values)


def _plan_case_changes(plan: CasePlan, case: Case, known: dict) -> None:
    row, values = plan.row, plan.row.values
    plan.obj = case
    _fixed(
        plan,
        known,
        {"unit": case.unit_id, "area": case.area, "opened_on": case.opened_on},
        {"unit": case.unit.name},
    )
    manager = values.get("case_manager")
    if manager and manager != case.case_manager_id and known.get("case_manager") != fingerprint(manager):
        if case.is_open and not values.get("closed_on"):
            plan.changes["case_manager"] = manager
        elif case.is_open:
            pass  # closing it: the case manager of a closed case does not matter any more
        else:
            row.error("case_manager", _("A closed case is not reassigned: write its case manager, or empty the cell."))
    closed = values.get("closed_on")
    if closed and case.is_open:
        if known.get("closed_on") != fingerprint(closed):
            plan.changes.update(
                {k: values.get(k) for k in ("closed_on", "closing_reason", "closing_note") if values.get(k)}
            )
    elif not closed and not case.is_open:
        if known.get("status") != fingerprint(CaseStatus.OPEN):
            row.error(
                "closed_on",
                _("The case is closed in Ponte since %(date)s: an import does not reopen it. Write that date.")
                % {"date": case.closed_on.strftime("%d/%m/%Y")},
            )
    elif closed and not case.is_open:
        for name in ("closed_on", "closing_reason"):
            if values.get(name) != getattr(case, name) and known.get(name) != fingerprint(values.get(name)):
                row.error(name, _("The case is closed in Ponte with another date or reason: write what Ponte has."))
    if row.errors:
        plan.action = RowAction.ERROR
    else:
        plan.action = RowAction.UPDATE if plan.changes else RowAction.UNCHANGED


def apply_case(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: CaseLookup) -> None:
    """Write a planned row of the cases layout through cases.services."""
    values = plan.row.values
    manager = lookup.users.get(values.get("case_manager")) if values.get("case_manager") else None
    case = plan.obj
    if plan.action == RowAction.CREATE and values.get("closed_on"):
        # A past case, recorded closed at once: it may sit next to an open case of the same unit and area.
        case = case_services.case_record_closed(
            actor=actor,
            person=plan.person,
            unit=lookup.units[values["unit"]],
            area=values["area"],
            opened_on=values["opened_on"],
            closed_on=values["closed_on"],
            closing_reason=values["closing_reason"],
            closing_note=values.get("closing_note") or "",
            case_manager=manager,
            detail={"imported": run.pk},
        )
    elif plan.action == RowAction.CREATE:
        case = case_services.case_open(
            actor=actor,
            person=plan.person,
            unit=lookup.units[values["unit"]],
            area=values["area"],
            case_manager=manager,
            opened_on=values["opened_on"],
        )
    elif plan.action == RowAction.UPDATE and "case_manager" in plan.changes:
        case = case_services.case_assign(actor=actor, case=case, case_manager=manager)
    if values.get("closed_on") and case.is_open and "closed_on" in plan.changes:
        case = case_services.case_close(
            actor=actor,
            case=case,
            closed_on=values["closed_on"],
            closing_reason=values["closing_reason"],
            closing_note=values.get("closing_note") or "",
        )
    plan.obj = case
    _save_key(plan, Entity.CASES, organisation, run, case.pk, lookup)


def _save_key(plan: CasePlan, entity: str, organisation, run, object_id: int, lookup: "CaseLookup") -> None:
    row = plan.row
    prints = dict(plan.source_key.fingerprints) if plan.source_key else {}
    prints.update({name: fingerprint(value) for name, value in row.values.items()})
    if plan.source_key is None:
        # Saved with the others at the end of the batch (services.import_commit).
        plan.source_key = SourceKey(
            organisation_id=organisation.pk,
            entity=entity,
            source_system=row.source_system,
            source_id=row.source_id,
            person_id=plan.person.pk if plan.person is not None else None,
            object_id=object_id,
            fingerprints=prints,
            last_run_id=run.pk,
        )
        lookup.new_keys.append(plan.source_key)
    elif plan.source_key.fingerprints != prints or plan.source_key.object_id != object_id:
        plan.source_key.fingerprints = prints
        plan.source_key.object_id = object_id
        plan.source_key.person = plan.person
        plan.source_key.last_run = run
        plan.source_key.save(update_fields=["fingerprints", "object_id", "person", "last_run", "updated_at"])


# ---------------------------------------------------------------------------------------------- referrals


def _moment(day: datetime.date) -> datetime.datetime:
    """A date of the old files as a moment: noon, local time (the old systems kept no time of day)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _consent_on(lookup: CaseLookup, person: Person, from_org: int, to_org: int, day: datetime.date) -> Consent | None:
    """cases.services._consent_for_referral on the day the referral was sent, not today."""
    purpose = ConsentPurpose.CARE if from_org == to_org else ConsentPurpose.SHARING
    return next(
        (
            c
            for c in lookup.consents.get(person.pk, [])
            if c.purpose == purpose and c.organisation_id == to_org and c.is_active(day)
        ),
        None,
    )


def plan_referral(actor, ctx: CaseContext, row: CaseRow, lookup: CaseLookup) -> CasePlan:
    """Decide what a row of the referrals layout does, reading Ponte but writing nothing."""
    plan = person_plan(row, lookup)
    if plan.action == RowAction.ERROR:
        return plan
    person = plan.person
    values = row.values
    from_unit, to_unit = lookup.units[values["from_unit"]], lookup.units[values["to_unit"]]
    from_org, to_org = from_unit.organisation_id, to_unit.organisation_id
    if ctx.org_id not in (from_org, to_org):
        row.error(
            "from_unit",
            _(
                "A referral is imported by the organisation that sent it or by the one that received it: one of the "
                "two units must be of your organisation."
            ),
        )
        plan.action = RowAction.ERROR
        return plan
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    referral = lookup.objects.get(key.object_id) if key is not None else None
    if referral is None:
        referral = next(
            (
                r
                for r in lookup.referrals.get(person.pk, [])
                if (r.from_unit_id, r.to_unit_id, r.area, timezone.localtime(r.sent_at).date())
                == (values["from_unit"], values["to_unit"], values["area"], values["sent_on"])
            ),
            None,
        )
    status = values["status"]

    def check_who() -> None:
        """The decision is the receiver's, the withdrawal the sender's (as in cases.services)."""
        if status in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED) and ctx.org_id != to_org:
            row.error(
                "status",
                _(
                    "Only the receiving organisation imports its decision on a referral: import this referral as "
                    "sent, or leave it to %(org)s."
                )
                % {"org": to_unit.organisation},
            )
        if status == ReferralStatus.WITHDRAWN and ctx.org_id != from_org:
            row.error("status", _("Only the sending organisation imports the withdrawal of a referral."))

    if referral is not None:
        known = key.fingerprints if key else {}
        plan.obj = referral
        current = {
            "from_unit": referral.from_unit_id,
            "to_unit": referral.to_unit_id,
            "area": referral.area,
            "sent_on": timezone.localtime(referral.sent_at).date(),
        }
        _fixed(plan, known, current, {"from_unit": referral.from_unit.name, "to_unit": referral.to_unit.name})
        if status != referral.status and known.get("status") != fingerprint(status):
            if referral.status != ReferralStatus.SENT:
                row.error(
                    "status",
                    _("The referral is %(status)s in Ponte: an import does not change a decided referral.")
                    % {"status": referral.get_status_display()},
                )
            else:
                check_who()
                plan.consent = referral.consent
                plan.changes["status"] = status
                _plan_decision(plan, ctx, lookup)
        if row.errors:
            plan.action = RowAction.ERROR
        else:
            plan.action = RowAction.UPDATE if plan.changes else RowAction.UNCHANGED
        return plan
    check_who()
    if ctx.org_id == from_org and person.pk not in lookup.changeable:
        row.error("fiscal_code", _("Your organisation does not treat this person: it cannot have referred them."))
    consent = _consent_on(lookup, person, from_org, to_org, values["sent_on"])
    if consent is None:
        if from_org == to_org:
            message = _("The person had not consented to care by %(org)s on %(date)s: import that consent first.")
        else:
            message = _(
                "The person had not consented to share their record with %(org)s on %(date)s: import that consent "
                "first (consent_sharing_… columns of the persons layout), or check the date."
            )
        row.error("sent_on", message % {"org": to_unit.organisation, "date": values["sent_on"].strftime("%d/%m/%Y")})
    plan.consent = consent
    if status == ReferralStatus.SENT:
        if consent is not None and not consent.is_active(ctx.today):
            row.error("status", _("The consent this referral rests on was withdrawn: it cannot be waiting now."))
        waiting = any(
            (r.to_unit_id, r.area, r.status) == (values["to_unit"], values["area"], ReferralStatus.SENT)
            for r in lookup.referrals.get(person.pk, [])
        )
        if waiting:
            row.error("to_unit", _("A referral of this person to this unit is already waiting."))
    _plan_decision(plan, ctx, lookup)
    if row.errors:
        plan.action = RowAction.ERROR
    else:
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
    return plan


def _plan_decision(plan: CasePlan, ctx: CaseContext, lookup: CaseLookup) -> None:
    """For an accepted referral, the case it opened: one already in Ponte, or a new one."""
    row, values, person = plan.row, plan.row.values, plan.person
    if values["status"] != ReferralStatus.ACCEPTED or plan.consent is None or row.errors:
        return
    if not plan.consent.is_active(values["decided_on"]):
        row.error("decided_on", _("The person withdrew the consent before this date: it could not be accepted."))
        return
    linked = {r.case_id for r in lookup.referrals.get(person.pk, []) if r.case_id}
    candidates = [
        c
        for c in lookup.cases.get(person.pk, [])
        if (c.unit_id, c.area) == (values["to_unit"], values["area"])
        and c.opened_on >= values["sent_on"]
        and c.pk not in linked
    ]
    candidates.sort(key=lambda c: abs((c.opened_on - values["decided_on"]).days))
    if candidates:
        plan.case = candidates[0]
        return
    slot = (person.pk, values["to_unit"], values["area"])
    if any((c.unit_id, c.area, c.closed_on) == (*slot[1:], None) for c in lookup.cases.get(person.pk, [])) or (
        slot in lookup.opening
    ):
        row.error("to_unit", _("The person already has an open case in this unit for this area, opened earlier."))
        return
    lookup.opening.add(slot)


def apply_referral(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: CaseLookup) -> None:
    """Write a planned row of the referrals layout, with the dates of the file and the interface's audit events."""
    values = plan.row.values
    referral = plan.obj
    if plan.action == RowAction.CREATE:
        referral = case_services.referral_send_on(
            actor=actor,
            person=plan.person,
            from_unit=lookup.units[values["from_unit"]],
            to_unit=lookup.units[values["to_unit"]],
            area=values["area"],
            reason=values["reason"],
            sent_on=values["sent_on"],
            detail={"imported": run.pk},
        )
    if plan.action == RowAction.CREATE or "status" in plan.changes:
        _decide(actor, plan, referral, run, lookup)
    plan.obj = referral
    _save_key(plan, Entity.REFERRALS, organisation, run, referral.pk, lookup)


def _decide(actor, plan: CasePlan, referral: Referral, run, lookup: CaseLookup) -> None:
    """Record the decision or withdrawal of the row through the dated case services, on the days of the file."""
    values = plan.row.values
    status = values["status"]
    if status == ReferralStatus.SENT:
        return
    detail = {"imported": run.pk}
    try:
        if status == ReferralStatus.ACCEPTED:
            # Accepted on the day of the decision: the case it opened, found or opened that day.
            manager = lookup.users.get(values.get("case_manager")) if values.get("case_manager") else None
            case_services.referral_accept_on(
                actor=actor,
                referral=referral,
                decided_on=values["decided_on"],
                case=plan.case,
                case_manager=manager,
                detail=detail,
            )
        elif status == ReferralStatus.REJECTED:
            case_services.referral_reject_on(
                actor=actor,
                referral=referral,
                decided_on=values["decided_on"],
                reason=values["rejection_reason"],
                detail=detail,
            )
        else:
            case_services.referral_withdraw_on(
                actor=actor, referral=referral, withdrawn_on=values["withdrawn_on"], detail=detail
            )
    except ValidationError as exc:
        raise ValidationError(_decision_errors(exc)) from exc
    referral.refresh_from_db()


# The services' names of fields that are other columns in this layout ("reason" is the referral's own reason).
_DECISION_COLUMNS = {"__all__": "status", "reason": "rejection_reason"}


def _decision_errors(exc: ValidationError) -> dict:
    """A refusal of a decision service with its errors on the columns of the layout: one not about a field (the
    referral is no longer waiting, another organisation decides) on `status`."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
    return {_DECISION_COLUMNS.get(name, name): messages for name, messages in errors.items()}


# ---------------------------------------------------------------------------------------------- both


def service_errors(row: CaseRow, exc: Exception) -> None:
    """A service's refusal as row errors, on the column of the field it names."""
    if isinstance(exc, PermissionDenied):
        row.error("fiscal_code", _("Your organisation may not work on this person's record."))
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                row.error("" if name == "__all__" else name, " ".join(error.messages))
    else:
        for message in exc.messages:
            row.error("", message)
