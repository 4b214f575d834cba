"""Comparing rows of the opportunities layout with Ponte, and writing them through opportunities.services.

An opportunity is published by the importer's organisation (the publisher of the pages: where they scout), at the
employer the row names. A row is matched on its source key, else on employer, kind, title and start among the
publisher's opportunities; a later file changes what it changed since its last import (opportunity_update).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from imports.case_rows import CasePlan, _save_key
from imports.cells import fold
from imports.choices import Entity, RowAction
from imports.employer_rows import context  # noqa: F401  (the context of this layout too)
from imports.employer_rows import service_errors as employer_service_errors
from imports.layouts.common import fingerprint
from imports.layouts.employers import EmployerContext
from imports.layouts.opportunities import OpportunityRow
from imports.models import SourceKey
from opportunities import services as opportunity_services
from opportunities.models import EmployerProfile, Opportunity
from opportunities.permissions import publisher_org_ids
from opportunities.services import OPPORTUNITY_FIELDS


class OpportunityLookup:
    """What a batch of rows needs from Ponte: source keys, the employers named, the publisher's opportunities."""

    def __init__(self, actor, ctx: EmployerContext, rows: list[OpportunityRow]):
        keys = {(r.source_system, r.source_id) for r in rows if r.source_id}
        self.keys = SourceKey.objects.keyed(ctx.org_id, Entity.OPPORTUNITIES, keys)
        publishers = publisher_org_ids(actor)
        self.publisher = min(publishers) if publishers else None
        mine = Opportunity.objects.filter(organisation_id=self.publisher)
        self.objects = mine.in_bulk({k.object_id for k in self.keys.values() if k.object_id})
        org_ids = {ctx.organisations.get(fold(r.values["employer"])) for r in rows if r.values.get("employer")}
        self.employers = {
            p.organisation_id: p
            for p in EmployerProfile.objects.restrict(actor, "view").filter(organisation_id__in=org_ids - {None})
        }
        starts = {r.values.get("starts_on") for r in rows}
        self.existing: dict[tuple, Opportunity] = {}
        for opportunity in mine.filter(title__in={r.values.get("title") for r in rows}, starts_on__in=starts - {None}):
            self._remember(opportunity)
        for opportunity in mine.filter(title__in={r.values.get("title") for r in rows}, starts_on__isnull=True):
            self._remember(opportunity)
        self.creating: set[tuple] = set()
        self.new_keys: list[SourceKey] = []

    def _remember(self, opportunity: Opportunity) -> None:
        slot = (opportunity.employer_id, opportunity.kind, fold(opportunity.title), opportunity.starts_on)
        self.existing.setdefault(slot, opportunity)


def plan_opportunity(actor, ctx: EmployerContext, row: OpportunityRow, lookup: OpportunityLookup) -> CasePlan:
    """Decide what a row of the opportunities layout does, reading Ponte but writing nothing."""
    plan = CasePlan(row=row)
    if row.errors:
        plan.action = RowAction.ERROR
        return plan
    if lookup.publisher is None:
        row.error("title", _("Opportunities are published by scouting staff or company referents: you are neither."))
        plan.action = RowAction.ERROR
        return plan
    values = row.values
    if values.get("employer") and not isinstance(values["employer"], int):
        profile = lookup.employers.get(ctx.organisations.get(fold(values["employer"])))
        if profile is None:
            row.error(
                "employer",
                _("“%(name)s” is not an employer of the network: import it first with the employers layout.")
                % {"name": values["employer"]},
            )
            plan.action = RowAction.ERROR
            return plan
        values["employer"] = profile.pk
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    known = key.fingerprints if key else {}
    slot = (values.get("employer"), values["kind"], fold(values["title"]), values.get("starts_on"))
    opportunity = lookup.objects.get(key.object_id) if key is not None else lookup.existing.get(slot)
    if opportunity is None:
        if slot in lookup.creating:
            row.error("title", _("The file has this opportunity twice (same employer, kind, title and start)."))
        lookup.creating.add(slot)
    else:
        plan.obj = opportunity
        for name in OPPORTUNITY_FIELDS:
            if name not in values:
                continue
            current = opportunity.employer_id if name == "employer" else getattr(opportunity, name)
            if values[name] != current and known.get(name) != fingerprint(values[name]):
                plan.changes[name] = values[name]
    if row.errors:
        plan.action = RowAction.ERROR
    elif opportunity is None:
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
    else:
        plan.action = RowAction.UPDATE if plan.changes else RowAction.UNCHANGED
    return plan


def _fields(values: dict, names, lookup: OpportunityLookup) -> dict:
    fields = {name: values[name] for name in names if name in values}
    if fields.get("employer"):
        fields["employer"] = next(p for p in lookup.employers.values() if p.pk == fields["employer"])
    return fields


def apply_opportunity(
    actor, ctx: EmployerContext, plan: CasePlan, *, organisation, run, lookup: OpportunityLookup
) -> None:
    """Write a planned row of the opportunities layout through opportunities.services."""
    values = plan.row.values
    opportunity = plan.obj
    if plan.action == RowAction.CREATE:
        opportunity = opportunity_services.opportunity_create(
            actor=actor, **_fields(values, OPPORTUNITY_FIELDS, lookup)
        )
    elif plan.action == RowAction.UPDATE:
        opportunity = opportunity_services.opportunity_update(
            actor=actor, opportunity=opportunity, version=opportunity.version, **_fields(values, plan.changes, lookup)
        )
    plan.obj = opportunity
    _save_key(plan, Entity.OPPORTUNITIES, organisation, run, opportunity.pk, lookup)


def service_errors(row: OpportunityRow, exc: Exception) -> None:
    """A service's refusal as row errors."""
    if isinstance(exc, PermissionDenied):
        row.error("title", _("You may not publish or change this opportunity."))
    elif isinstance(exc, ValidationError):
        employer_service_errors(row, exc)
