"""Comparing rows of the activities layout with Ponte, and writing them through paths.services.activity_record
(ADR 0026): the importing coordinator records each activity for the operator the row names, an operator of the
same organisation; a row naming a person needs a person the organisation may work on. Activities of the past
are recorded whatever the year's share of non-attributable ones (the period report shows it against the
ceiling). A row is matched on its source key; an activity already imported is not changed by a later file.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

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
from paths import services as path_services
from paths.models import Activity

__all__ = ["ActivityLookup", "activity_service_errors", "apply_activity", "plan_activity"]

# What a later file may not change on an activity already imported (Ponte has no edit of an activity).
FIXED = ("operator", "performed_on", "minutes", "kind", "profession", "programme_code")


class ActivityLookup(CaseLookup):
    """CaseLookup, with the operators the batch names and the paths named by their old id."""

    def __init__(self, actor, ctx: CaseContext, rows: list[CaseRow]):
        self.actor = actor  # load_objects, called by CaseLookup.__init__, reads it
        super().__init__(actor, ctx, rows, Entity.ACTIVITIES)
        operator_ids = {r.values["operator"] for r in rows if r.values.get("operator")}
        self.operators = get_user_model().objects.in_bulk(operator_ids) if operator_ids else {}
        self.paths = paths_by_old_id(ctx, rows)

    def load_objects(self, object_ids: set[int]) -> dict:
        # With their operators: a later file's row is compared with them, and a changed one names its operator.
        return Activity.objects.restrict(self.actor, "view").select_related("operator").in_bulk(object_ids)


def plan_activity(actor, ctx: CaseContext, row: CaseRow, lookup: ActivityLookup) -> CasePlan:
    """Decide what a row of the activities layout does, reading Ponte but writing nothing."""
    values = row.values
    if values.get("person_source_id") or values.get("fiscal_code"):
        plan = person_plan(row, lookup)
        if plan.action == RowAction.ERROR:
            return plan
        if plan.person.pk not in lookup.changeable:
            row.error("fiscal_code", _("Your organisation does not treat this person: import the person's case first."))
    else:
        plan = CasePlan(row=row)  # not attributable to a single patient
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    activity = lookup.objects.get(key.object_id) if key is not None else None
    person_id = plan.person.pk if plan.person is not None else None
    if activity is not None and activity.person_id != person_id:
        row.error("source_id", _("This old id was imported as an activity of another person: check the old id."))
    elif activity is not None:
        plan.obj = activity
        current = {name: getattr(activity, "operator_id" if name == "operator" else name) for name in FIXED}
        shown = {"operator": activity.operator.get_username(), "kind": activity.get_kind_display(),
                 "profession": activity.get_profession_display()}  # fmt: skip
        _fixed(plan, key.fingerprints, current, shown)
    elif values.get("path_source_id") and plan.person is not None:
        plan_named_path(plan, lookup.paths)
    if row.errors:
        plan.action = RowAction.ERROR
    elif activity is None:
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
    else:
        plan.action = RowAction.UNCHANGED
    return plan


def apply_activity(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: ActivityLookup) -> None:
    """Write a planned row of the activities layout through paths.services.activity_record."""
    values = plan.row.values
    activity = plan.obj
    if plan.action == RowAction.CREATE:
        activity = path_services.activity_record(
            actor=actor,
            operator=lookup.operators[values["operator"]],
            performed_on=values["performed_on"],
            minutes=values["minutes"],
            kind=values["kind"],
            person=plan.person,
            path=plan.path,
            profession=values.get("profession") or "",
            programme_code=values.get("programme_code") or "",
            note=values.get("note") or "",
            accept_over_ceiling=True,  # the past happened: the period report shows the share
        )
    plan.obj = activity
    _save_key(plan, Entity.ACTIVITIES, organisation, run, activity.pk, lookup)


def activity_service_errors(row: CaseRow, exc: Exception) -> None:
    """A service's refusal as row errors."""
    if isinstance(exc, PermissionDenied):
        row.error("operator", _("Your organisation may not record this activity: import it as its coordinator."))
    elif isinstance(exc, ValidationError):
        service_errors(row, exc)
