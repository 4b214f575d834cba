"""Comparing rows of the events layout with Ponte, and writing them through paths.services (event_record,
event_discharge), with the rules of the pages: a hospitalisation is recorded by a clinical role of an organisation
treating the person, a drop-out by a write role of one. A drop-out of the past ends the cases and paths of the
organisation that had started by its date and are still open, as the interface does on the day; later ones are
left alone. A row is matched on its source key, else on the person, kind and date of an event the importer sees.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.access import access_for
from imports.case_rows import (
    CaseLookup,
    CasePlan,
    _fixed,
    _save_key,
    paths_by_old_id,
    person_plan,
    plan_named_path,
    service_errors,
)
from imports.choices import Entity, RowAction
from imports.layouts.cases import CaseContext, CaseRow
from imports.layouts.common import fingerprint
from paths import services as path_services
from paths.choices import EventKind
from paths.models import ProgrammeEvent

__all__ = ["EventLookup", "apply_event", "event_service_errors", "plan_event"]


class EventLookup(CaseLookup):
    """CaseLookup, with the events of the batch's persons the importer sees, the paths named by their old id and
    the organisations where the importer is a clinician or may write."""

    def __init__(self, actor, ctx: CaseContext, rows: list[CaseRow]):
        self.actor = actor  # load_objects, called by CaseLookup.__init__, reads it
        super().__init__(actor, ctx, rows, Entity.EVENTS)
        access = access_for(actor)
        self.clinical_orgs, self.write_orgs = access.clinical_org_ids, access.write_org_ids
        self.events: dict[int, list[ProgrammeEvent]] = {}
        for event in ProgrammeEvent.objects.restrict(actor, "view").filter(person_id__any=set(self.persons)):
            self.events.setdefault(event.person_id, []).append(event)
        self.paths = paths_by_old_id(ctx, rows)
        self.recording: set[tuple] = set()

    def load_objects(self, object_ids: set[int]) -> dict:
        return ProgrammeEvent.objects.restrict(self.actor, "view").in_bulk(object_ids)

    def treats(self, person, org_ids) -> bool:
        """people.permissions.treating_org_ids, from what the batch read."""
        holding = {person.registered_by_id} | {c.organisation_id for c in self.cases.get(person.pk, [])}
        return bool(holding & set(org_ids))


def plan_event(actor, ctx: CaseContext, row: CaseRow, lookup: EventLookup) -> CasePlan:
    """Decide what a row of the events layout does, reading Ponte but writing nothing."""
    plan = person_plan(row, lookup)
    if plan.action == RowAction.ERROR:
        return plan
    person = plan.person
    values = row.values
    kind = values["kind"]
    if kind == EventKind.HOSPITALISATION and not lookup.treats(person, lookup.clinical_orgs):
        row.error(
            "kind",
            _(
                "A hospitalisation is recorded by a clinician of an organisation treating the person: the file must "
                "be imported by a coordinator who is also a clinician there."
            ),
        )
    elif kind == EventKind.DROP_OUT and not (
        lookup.treats(person, lookup.write_orgs) and person.pk in lookup.changeable
    ):
        row.error(
            "fiscal_code",
            _("Your organisation does not treat this person: import the person's case first."),
        )
    if row.errors:
        plan.action = RowAction.ERROR
        return plan
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    event = lookup.objects.get(key.object_id) if key is not None else None
    if event is None:
        event = next(
            (e for e in lookup.events.get(person.pk, []) if (e.kind, e.occurred_on) == (kind, values["occurred_on"])),
            None,
        )
    if event is not None and event.person_id != person.pk:
        row.error("source_id", _("This old id was imported as an event of another person: check the old id."))
    elif event is not None:
        plan.obj = event
        known = key.fingerprints if key else {}
        _fixed(plan, known, {"kind": event.kind, "occurred_on": event.occurred_on}, {"kind": event.get_kind_display()})
        ended = values.get("ended_on")
        if ended and ended != event.ended_on and known.get("ended_on") != fingerprint(ended):
            if event.ended_on is None:
                plan.changes["ended_on"] = ended
            else:
                row.error(
                    "ended_on",
                    _("Ponte has the discharge on %(date)s: an import does not change it. Write that date.")
                    % {"date": event.ended_on.strftime("%d/%m/%Y")},
                )
    else:
        _plan_new_event(plan, lookup)
    if row.errors:
        plan.action = RowAction.ERROR
    elif event is None:
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
    else:
        plan.action = RowAction.UPDATE if plan.changes else RowAction.UNCHANGED
    return plan


def _plan_new_event(plan: CasePlan, lookup: EventLookup) -> None:
    row, values, person = plan.row, plan.row.values, plan.person
    if values.get("path_source_id"):
        plan_named_path(plan, lookup.paths)
    slot = (person.pk, values["kind"], values["occurred_on"])
    if slot in lookup.recording:
        row.error("occurred_on", _("The file has this event twice (same person, kind and date)."))
    lookup.recording.add(slot)


def apply_event(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: EventLookup) -> None:
    """Write a planned row of the events layout through paths.services."""
    values = plan.row.values
    event = plan.obj
    if plan.action == RowAction.CREATE:
        event = path_services.event_record(
            actor=actor,
            person=plan.person,
            kind=values["kind"],
            occurred_on=values["occurred_on"],
            ended_on=values.get("ended_on"),
            path=plan.path,
            note=values.get("note") or "",
            running_then_only=True,
        )
    elif "ended_on" in plan.changes:
        event = path_services.event_discharge(actor=actor, event=event, ended_on=values["ended_on"])
    plan.obj = event
    _save_key(plan, Entity.EVENTS, organisation, run, event.pk, lookup)


def event_service_errors(row: CaseRow, exc: Exception) -> None:
    """A service's refusal as row errors."""
    if isinstance(exc, PermissionDenied):
        row.error("kind", _("Your organisation may not record this event for this person."))
    elif isinstance(exc, ValidationError):
        service_errors(row, exc)
