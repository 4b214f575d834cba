"""Comparing rows of the assessments layout with Ponte, and writing them through assessments.services.

A completed assessment of an old system is started with assessment_start on its own date and completed with
assessment_save, so the instrument's roles, the clinical items (clinicians only), the checks of every answer, the
required items, the scores and the audit events are those of the pages. A row is matched on its source key, else on
the person, instrument version and date of a completed assessment of the importer's organisation; a completed
assessment is never changed by an import.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from assessments import services as assessment_services
from assessments.answers import clean_answers, missing_required
from assessments.choices import AssessmentStatus, ItemType
from assessments.definitions import item_map
from assessments.models import Assessment, InstrumentVersion
from assessments.permissions import fill_memberships, writable_item_ids
from imports.case_rows import CaseLookup, CasePlan, _save_key, person_plan
from imports.choices import Entity, RowAction
from imports.layouts.cases import CaseContext, CaseRow
from imports.layouts.common import fingerprint


class AssessmentLookup(CaseLookup):
    """CaseLookup, with the instrument versions named and the completed assessments of the batch's persons."""

    def __init__(self, actor, ctx: CaseContext, rows: list[CaseRow]):
        super().__init__(actor, ctx, rows, Entity.ASSESSMENTS)
        codes = {r.values.get("instrument") for r in rows} - {None}
        self.versions = {
            (v.instrument.code, v.number): v
            for v in InstrumentVersion.objects.select_related("instrument").filter(instrument__code__in=codes)
        }
        self.done: dict[int, list[Assessment]] = {}
        for assessment in Assessment.objects.filter(
            person_id__in=set(self.persons), organisation_id=ctx.org_id, status=AssessmentStatus.COMPLETED
        ):
            self.done.setdefault(assessment.person_id, []).append(assessment)
        self.recording: set[tuple] = set()

    def load_objects(self, object_ids: set[int]) -> dict:
        return Assessment.objects.in_bulk(object_ids)


def plan_assessment(actor, ctx: CaseContext, row: CaseRow, lookup: AssessmentLookup) -> CasePlan:
    """Decide what a row of the assessments layout does, reading Ponte but writing nothing."""
    plan = person_plan(row, lookup)
    if plan.action == RowAction.ERROR:
        return plan
    person = plan.person
    values = row.values
    version = lookup.versions.get((values["instrument"], values["instrument_version"]))
    if version is None:
        row.error(
            "instrument_version",
            _("Ponte has no version %(n)s of the instrument “%(code)s”: check the code and the version.")
            % {"n": values["instrument_version"], "code": values["instrument"]},
        )
        plan.action = RowAction.ERROR
        return plan
    plan.obj = None
    if not fill_memberships(actor, version, person):
        row.error(
            "instrument",
            _(
                "Your roles may not fill in this instrument for this person: it is filled in by a role of an "
                "organisation treating the person (%(roles)s)."
            )
            % {"roles": ", ".join(version.fill_roles)},
        )
        plan.action = RowAction.ERROR
        return plan
    writable = writable_item_ids(actor, version, person)
    cleaned = _check_answers(row, version, writable)
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    found = lookup.objects.get(key.object_id) if key is not None else None
    if found is None:
        found = next(
            (
                a
                for a in lookup.done.get(person.pk, [])
                if (a.instrument_version_id, a.assessed_on) == (version.pk, values["assessed_on"])
            ),
            None,
        )
    if found is not None:
        plan.obj = found
        known = key.fingerprints if key else {}
        if found.person_id != person.pk:
            row.error("source_id", _("This old id was imported as an assessment of another person: check it."))
        for name, current in (("instrument_version", found.instrument_version_id), ("assessed_on", found.assessed_on)):
            new = version.pk if name == "instrument_version" else values[name]
            if new != current and known.get(name) != fingerprint(values[name]):
                row.error(name, _("The assessment is completed in Ponte with another instrument or date: an import "
                                  "does not change it."))  # fmt: skip
        current = {item: value for item, value in found.answers.items() if item in writable}
        if cleaned != current and known.get("answers") != fingerprint(values.get("answers")) and not row.errors:
            row.error("answers", _("The assessment is completed in Ponte: an import does not change its answers."))
    else:
        slot = (person.pk, version.pk, values["assessed_on"])
        if slot in lookup.recording:
            row.error("assessed_on", _("The file has this assessment twice (same person, instrument and date)."))
        lookup.recording.add(slot)
    plan.instrument_version = version
    if row.errors:
        plan.action = RowAction.ERROR
    elif found is None:
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
    else:
        plan.action = RowAction.UNCHANGED
    return plan


def _check_answers(row: CaseRow, version: InstrumentVersion, writable: frozenset[str]) -> dict:
    """Every answer an item of the instrument the importer may answer, of the right form; the required ones there."""
    answers = row.values.get("answers") or {}
    items = item_map(version.definition)
    for item_id in answers:
        item = items.get(item_id)
        if item is None:
            row.error("answers", _("%(item)s is not an item of this instrument version.") % {"item": item_id})
        elif item["type"] == ItemType.GROUP:
            row.error("answers", _("%(item)s is a repeating group: enter it in Ponte.") % {"item": item_id})
        elif item_id not in writable:
            row.error("answers", _("%(item)s is a clinical item: it is imported by a clinician.") % {"item": item_id})
    cleaned, errors = clean_answers(version.definition, answers, item_ids=writable)
    errors.update(missing_required(version.definition, cleaned, item_ids=writable - set(errors)))
    for item_id, message in errors.items():
        row.error("answers", f"{item_id}: {message}")
    return cleaned


def apply_assessment(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: AssessmentLookup) -> None:
    """Write a planned row of the assessments layout through assessments.services."""
    values = plan.row.values
    assessment = plan.obj
    if plan.action == RowAction.CREATE:
        assessment = assessment_services.assessment_start(
            actor=actor, person=plan.person, version=plan.instrument_version, assessed_on=values["assessed_on"]
        )
        assessment = assessment_services.assessment_save(
            actor=actor, assessment=assessment, version=assessment.version, answers=values["answers"], complete=True
        )
    plan.obj = assessment
    _save_key(plan, Entity.ASSESSMENTS, organisation, run, assessment.pk, lookup)


def service_errors(row: CaseRow, exc: Exception) -> None:
    """A service's refusal as row errors: the answers' by item."""
    if isinstance(exc, PermissionDenied):
        row.error("instrument", _("Your roles may not fill in this instrument for this person."))
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                column = name if name == "assessed_on" else "answers"
                row.error(column, " ".join(error.messages) if column != "answers" else f"{name}: {error.messages[0]}")
    else:
        for message in exc.messages:
            row.error("", message)


def answers_text(answers: dict, item_ids) -> str:
    """Answers as the layout writes them: item=value; item=a|b (repeating groups left out)."""
    parts = []
    for item_id, value in answers.items():
        if item_id not in item_ids or isinstance(value, list) and value and isinstance(value[0], dict):
            continue
        parts.append(f"{item_id}={'|'.join(map(str, value)) if isinstance(value, list) else value}")
    return "; ".join(parts)
