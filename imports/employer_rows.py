"""Comparing rows of the employers layout with Ponte, and writing them through opportunities.services.

An employer is matched on its source key, else on its name among the organisations of the network (case, accents,
spaces and punctuation do not matter): an organisation without a profile gets one (employer_create), one with a
profile has it updated (employer_update) with the fields the file changed since its last import. Employers are
imported by scouting staff, who keep them for the whole network (docs/employers.md); they are not personal data.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Organisation
from imports.case_rows import CasePlan, _save_key
from imports.cells import fold
from imports.choices import Entity, RowAction
from imports.layouts.common import fingerprint
from imports.layouts.employers import EmployerContext, EmployerRow
from imports.models import SourceKey
from opportunities import services as employer_services
from opportunities.choices import EMPLOYER_KINDS
from opportunities.models import EmployerProfile
from opportunities.permissions import can_create_employer
from opportunities.services import PROFILE_FIELDS


def context(actor, run) -> EmployerContext:
    """The network's organisations by name, read once per import."""
    organisations: dict[str, int] = {}
    for org_id, name, short in Organisation.objects.values_list("pk", "name", "short_name"):
        organisations[fold(name)] = org_id
        if short:
            organisations.setdefault(fold(short), org_id)
    return EmployerContext(org_id=run.organisation_id, default_source_system=run.source_system,
                           organisations=organisations)  # fmt: skip


class EmployerLookup:
    """What a batch of rows needs from Ponte: source keys, the organisations named and their profiles."""

    def __init__(self, actor, ctx: EmployerContext, rows: list[EmployerRow]):
        keys = {(r.source_system, r.source_id) for r in rows if r.source_id}
        self.keys = SourceKey.objects.keyed(ctx.org_id, Entity.EMPLOYERS, keys)
        profile_ids = {k.object_id for k in self.keys.values() if k.object_id}
        self.objects = EmployerProfile.objects.select_related("organisation").in_bulk(profile_ids)
        org_ids = {ctx.organisations.get(fold(r.values["name"])) for r in rows if r.values.get("name")} - {None}
        self.organisations = Organisation.objects.in_bulk(org_ids) if org_ids else {}
        self.profiles = {
            p.organisation_id: p
            for p in EmployerProfile.objects.select_related("organisation").filter(organisation_id__in=org_ids)
        }
        self.may_create = can_create_employer(actor)
        self.creating: set[str] = set()
        self.new_keys: list[SourceKey] = []


def _current(profile: EmployerProfile, name: str):
    return getattr(profile, name)


def plan_employer(actor, ctx: EmployerContext, row: EmployerRow, lookup: EmployerLookup) -> CasePlan:
    """Decide what a row of the employers layout does, reading Ponte but writing nothing."""
    plan = CasePlan(row=row)
    if row.errors:
        plan.action = RowAction.ERROR
        return plan
    if not lookup.may_create:
        row.error(
            "name",
            _("Employers are imported by scouting staff: a coordinator of a Polo Lavoro, CELAV or programme team."),
        )
        plan.action = RowAction.ERROR
        return plan
    values = row.values
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    known = key.fingerprints if key else {}
    profile = lookup.objects.get(key.object_id) if key is not None else None
    org_id = ctx.organisations.get(fold(values["name"]))
    organisation = lookup.organisations.get(org_id) if profile is None else profile.organisation
    if profile is None and organisation is not None:
        profile = lookup.profiles.get(organisation.pk)
    if organisation is not None:
        plan.organisation = organisation
        if fold(values["name"]) != fold(organisation.name) and known.get("name") != fingerprint(values["name"]):
            row.error("name", _("Ponte has another name for this employer (%(name)s): an import does not change it. "
                                "Write that name.") % {"name": organisation.name})  # fmt: skip
        if values["kind"] != organisation.kind and known.get("kind") != fingerprint(values["kind"]):
            if organisation.kind in EMPLOYER_KINDS:
                row.error("kind", _("Ponte has this organisation as %(kind)s: write that.")
                          % {"kind": organisation.get_kind_display()})  # fmt: skip
            else:
                row.error("name", _("“%(name)s” is an organisation of the network that is not an employer: check the "
                                    "name.") % {"name": organisation.name})  # fmt: skip
    if profile is not None:
        plan.obj = profile
        for name in PROFILE_FIELDS:
            if name not in values or values[name] == _current(profile, name):
                continue
            if known.get(name) != fingerprint(values[name]):
                plan.changes[name] = values[name]
        if profile.organisation.kind != "social_coop":
            plan.changes.pop("social_coop_type", None)
    else:
        folded = fold(values["name"])
        if folded in lookup.creating:
            row.error("name", _("The file has this employer twice: once per file."))
        lookup.creating.add(folded)
    if row.errors:
        plan.action = RowAction.ERROR
    elif profile is None:
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
    else:
        plan.action = RowAction.UPDATE if plan.changes else RowAction.UNCHANGED
    return plan


def apply_employer(actor, ctx: EmployerContext, plan: CasePlan, *, organisation, run, lookup: EmployerLookup) -> None:
    """Write a planned row of the employers layout through opportunities.services."""
    values = plan.row.values
    profile = plan.obj
    fields = {name: values[name] for name in PROFILE_FIELDS if name in values}
    if plan.action == RowAction.CREATE:
        existing = plan.organisation
        profile = employer_services.employer_create(
            actor=actor,
            name="" if existing else values["name"],
            kind="" if existing else values["kind"],
            organisation=existing,
            **fields,
        )
    elif plan.action == RowAction.UPDATE:
        changes = {name: values[name] for name in plan.changes}
        profile = employer_services.employer_update(actor=actor, employer=profile, version=profile.version, **changes)
    plan.obj = profile
    _save_key(plan, Entity.EMPLOYERS, organisation, run, profile.pk, lookup)


def service_errors(row: EmployerRow, exc: Exception) -> None:
    """A service's refusal as row errors."""
    if isinstance(exc, PermissionDenied):
        row.error("name", _("You may not change this employer's profile."))
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                row.error("" if name == "__all__" else name, " ".join(error.messages))
    else:
        for message in exc.messages:
            row.error("", message)
